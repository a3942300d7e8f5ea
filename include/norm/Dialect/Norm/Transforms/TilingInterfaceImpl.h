//===- TilingInterfaceImpl.h - norm ops as tileable ops ---------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_TILINGINTERFACEIMPL_H
#define NORM_DIALECT_NORM_TRANSFORMS_TILINGINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;

namespace norm {
/// Attaches TilingInterface to every norm op: the iteration domain is the
/// rows (the leading dimensions, all parallel); a tile is the same op on
/// whole rows. H is a reduction and is never tiled.
void registerTilingInterfaceExternalModels(DialectRegistry &registry);
} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_TRANSFORMS_TILINGINTERFACEIMPL_H
