//===- BufferizableOpInterfaceImpl.h - norm bufferization ------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define NORM_DIALECT_NORM_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;

namespace norm {
/// Attaches BufferizableOpInterface to every norm op so that
/// `one-shot-bufferize` rewrites the tensor form into the memref form.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
