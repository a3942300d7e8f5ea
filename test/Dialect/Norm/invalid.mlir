// Every verifier and parser error of the norm dialect.
// RUN: norm-opt %s -split-input-file -verify-diagnostics

func.func @mixed_tensor_memref(%x: tensor<4x8xf32>, %o: memref<4x8xf32>) {
  // expected-error @below {{operands must be all tensors or all memrefs, but 'input' is a tensor and 'into' is a memref}}
  norm.rmsnorm %x : tensor<4x8xf32> into %o : memref<4x8xf32>
  return
}

// -----

func.func @non_unit_inner_stride(%x: memref<4x8xf32, strided<[16, 2]>>, %o: memref<4x8xf32>) {
  // expected-error @below {{'input' must have unit stride in its innermost dimension, but has type 'memref<4x8xf32, strided<[16, 2]>>'}}
  norm.rmsnorm %x : memref<4x8xf32, strided<[16, 2]>> into %o : memref<4x8xf32>
  return
}

// -----

func.func @rank0_input(%x: tensor<f32>, %e: tensor<f32>) -> tensor<f32> {
  // expected-error @below {{'input' must have rank >= 1 (rows of the innermost dimension), but has type 'tensor<f32>'}}
  %y = norm.rmsnorm %x : tensor<f32> into %e : tensor<f32> -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @input_element_type(%x: tensor<4x8xi32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'input' must have element type f32, f16 or bf16, but has 'i32'}}
  %y = norm.rmsnorm %x : tensor<4x8xi32> into %e : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @input_f64(%x: tensor<4x8xf64>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'input' must have element type f32, f16 or bf16, but has 'f64'}}
  %y = norm.rmsnorm %x : tensor<4x8xf64> into %e : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @into_shape(%x: tensor<4x8xf32>, %e: tensor<4x9xf32>) -> tensor<4x9xf32> {
  // expected-error @below {{'into' must have the shape of 'input' [4, 8], but has shape [4, 9]}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x9xf32> -> tensor<4x9xf32>
  return %y : tensor<4x9xf32>
}

// -----

func.func @into_rank(%x: tensor<?x8xf32>, %e: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @below {{'into' must have the shape of 'input' [?, 8], but has shape [8]}}
  %y = norm.rmsnorm %x : tensor<?x8xf32> into %e : tensor<8xf32> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @into_element_type(%x: tensor<4x8xf32>, %e: tensor<4x8xi8>) -> tensor<4x8xi8> {
  // expected-error @below {{'into' must have element type f32, f16 or bf16, but has 'i8'}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xi8> -> tensor<4x8xi8>
  return %y : tensor<4x8xi8>
}

// -----

func.func @gamma_shape(%x: tensor<4x8xf32>, %w: tensor<7xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'gamma' must have shape [H] = [8] (the innermost dimension of 'input'), but has shape [7]}}
  %y = norm.rmsnorm %x : tensor<4x8xf32>, gamma %w : tensor<7xf32> into %e : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @gamma_rank(%x: tensor<4x8xf32>, %w: tensor<1x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'gamma' must have shape [H] = [8] (the innermost dimension of 'input'), but has shape [1, 8]}}
  %y = norm.rmsnorm %x : tensor<4x8xf32>, gamma %w : tensor<1x8xf32> into %e : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @gamma_element_type(%x: tensor<4x8xf32>, %w: tensor<8xi32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'gamma' must have element type f32, f16 or bf16, but has 'i32'}}
  %y = norm.rmsnorm %x : tensor<4x8xf32>, gamma %w : tensor<8xi32> into %e : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_zero(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'epsilon' must be a finite f32 > 0, but is 0}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32> {epsilon = 0.0 : f32} -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_negative(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'epsilon' must be a finite f32 > 0, but is -1}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32> {epsilon = -1.0 : f32} -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @weight_offset_inf(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{'weight_offset' must be finite, but is INF}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32> {weight_offset = 0x7F800000 : f32} -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_not_f32(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{attribute 'epsilon' failed to satisfy constraint: 32-bit float attribute}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32> {epsilon = 1.0e-5 : f64} -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @unranked_operand(%x: tensor<*xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{operand #0 must be ranked tensor or memref, but got 'tensor<*xf32>'}}
  %y = "norm.rmsnorm"(%x, %e) : (tensor<*xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @tensor_without_result(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) {
  // expected-error @below {{expected the number of tensor results (0) to be equal to the number of output tensors (1)}}
  norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32>
  return
}

// -----

func.func @result_type(%x: tensor<4x8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @below {{expected type of operand #1 ('tensor<4x8xf32>') to match type of corresponding result ('tensor<4x8xf16>')}}
  %y = norm.rmsnorm %x : tensor<4x8xf32> into %e : tensor<4x8xf32> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @add_residual_element_type(%x: tensor<4x8xf32>, %r: tensor<4x8xi16>, %e0: tensor<4x8xf32>, %e1: tensor<4x8xi16>) {
  // expected-error @below {{'residual' must have element type f32, f16 or bf16, but has 'i16'}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xf32>, residual %r : tensor<4x8xi16> into %e0 : tensor<4x8xf32>, %e1 : tensor<4x8xi16> -> tensor<4x8xf32>, tensor<4x8xi16>
  return
}

// -----

func.func @add_residual_shape(%x: tensor<4x8xf32>, %r: tensor<4x16xf32>, %e0: tensor<4x8xf32>, %e1: tensor<4x16xf32>) {
  // expected-error @below {{'residual' must have the shape of 'input' [4, 8], but has shape [4, 16]}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xf32>, residual %r : tensor<4x16xf32> into %e0 : tensor<4x8xf32>, %e1 : tensor<4x16xf32> -> tensor<4x8xf32>, tensor<4x16xf32>
  return
}

// -----

func.func @add_residual_destination_shape(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>, %e0: tensor<4x8xf32>, %e1: tensor<3x8xf32>) {
  // expected-error @below {{'residual destination' must have the shape of 'input' [4, 8], but has shape [3, 8]}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xf32>, residual %r : tensor<4x8xf32> into %e0 : tensor<4x8xf32>, %e1 : tensor<3x8xf32> -> tensor<4x8xf32>, tensor<3x8xf32>
  return
}

// -----

func.func @add_into_element_type(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>, %e0: tensor<4x8xf8E4M3FN>, %e1: tensor<4x8xf32>) {
  // expected-error @below {{'into' must have element type f32, f16 or bf16, but has 'f8E4M3FN'}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xf32>, residual %r : tensor<4x8xf32> into %e0 : tensor<4x8xf8E4M3FN>, %e1 : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>, tensor<4x8xf32>
  return
}

// -----

func.func @add_residual_destination_type(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %e0: tensor<4x8xbf16>, %e1: tensor<4x8xf32>) {
  // expected-error @below {{'residual destination' must have the element type of 'residual' ('bf16'), but has 'f32'}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xbf16>, residual %r : tensor<4x8xbf16> into %e0 : tensor<4x8xbf16>, %e1 : tensor<4x8xf32> -> tensor<4x8xbf16>, tensor<4x8xf32>
  return
}

// -----

func.func @add_gamma_shape(%x: memref<4x8xf32>, %r: memref<4x8xf32>, %w: memref<4xf32>, %o: memref<4x8xf32>) {
  // expected-error @below {{'gamma' must have shape [H] = [8] (the innermost dimension of 'input'), but has shape [4]}}
  norm.add_rmsnorm %x : memref<4x8xf32>, residual %r : memref<4x8xf32>, gamma %w : memref<4xf32> into %o : memref<4x8xf32>, %r : memref<4x8xf32>
  return
}

// -----

func.func @add_epsilon(%x: memref<4x8xf32>, %r: memref<4x8xf32>, %o: memref<4x8xf32>) {
  // expected-error @below {{'epsilon' must be a finite f32 > 0, but is -0}}
  norm.add_rmsnorm %x : memref<4x8xf32>, residual %r : memref<4x8xf32> into %o : memref<4x8xf32>, %r : memref<4x8xf32> {epsilon = -0.0 : f32}
  return
}

// -----

func.func @add_mixed_kinds(%x: memref<4x8xf32>, %r: tensor<4x8xf32>, %o: memref<4x8xf32>, %ro: memref<4x8xf32>) {
  // expected-error @below {{operands must be all tensors or all memrefs, but 'input' is a memref and 'residual' is a tensor}}
  norm.add_rmsnorm %x : memref<4x8xf32>, residual %r : tensor<4x8xf32> into %o : memref<4x8xf32>, %ro : memref<4x8xf32>
  return
}

// -----

func.func @quant_into_type(%x: tensor<4x8xf32>, %q0: tensor<4x8xf16>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'into' must have element type f8E4M3FN, f8E4M3FNUZ, f8E5M2 or i8, but has 'f16'}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xf16>, %s0 : tensor<4x1xf32> -> tensor<4x8xf16>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_into_ui8(%x: tensor<4x8xf32>, %q0: tensor<4x8xui8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'into' must have element type f8E4M3FN, f8E4M3FNUZ, f8E5M2 or i8, but has 'ui8'}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xui8>, %s0 : tensor<4x1xf32> -> tensor<4x8xui8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_input_type(%x: tensor<4x8xi8>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'input' must have element type f32, f16 or bf16, but has 'i8'}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xi8> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_into_shape(%x: tensor<4x8xf32>, %q0: tensor<4x4xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'into' must have the shape of 'input' [4, 8], but has shape [4, 4]}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x4xi8>, %s0 : tensor<4x1xf32> -> tensor<4x4xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_missing_group_size(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{the per_group scheme requires a 'group_size'}}
  %q, %s = "norm.quantize"(%x, %q0, %s0) <{operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>, scheme = #norm.quant_scheme<per_group>}> : (tensor<4x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> (tensor<4x8xi8>, tensor<4x1xf32>)
  return
}

// -----

func.func @quant_group_size_zero(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'group_size' must be > 0, but is 0}}
  %q, %s = norm.quantize per_group(0) %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_group_size_divides(%x: tensor<4x100xf32>, %q0: tensor<4x100xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'group_size' 64 must divide the innermost dimension of 'input' (H = 100)}}
  %q, %s = norm.quantize per_group(64) %x : tensor<4x100xf32> into %q0 : tensor<4x100xi8>, %s0 : tensor<4x1xf32> -> tensor<4x100xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_group_size_per_token(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'group_size' is only valid with the per_group scheme, but the scheme is per_token}}
  %q, %s = "norm.quantize"(%x, %q0, %s0) <{group_size = 4 : i64, operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>, scheme = #norm.quant_scheme<per_token>}> : (tensor<4x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> (tensor<4x8xi8>, tensor<4x1xf32>)
  return
}

// -----

func.func @quant_layout_per_token(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'scale_layout' is only valid with the per_group scheme, but the scheme is per_token}}
  %q, %s = "norm.quantize"(%x, %q0, %s0) <{scale_layout = #norm.scale_layout<col_major>, operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>, scheme = #norm.quant_scheme<per_token>}> : (tensor<4x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> (tensor<4x8xi8>, tensor<4x1xf32>)
  return
}

// -----

func.func @quant_dynamic_with_scale(%x: tensor<4x8xf32>, %sc: tensor<1xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{the per_token scheme computes its scales and takes no 'scale' operand}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> scale %sc : tensor<1xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_dynamic_without_scales(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{the per_group scheme requires a scales destination after the quantized output}}
  %q = norm.quantize per_group(4) %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_per_token_scale_shape(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4xf32>) {
  // expected-error @below {{'scales destination' must have shape [4, 1] for the per_token scheme, but has shape [4]}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4xf32> -> tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @quant_per_group_scale_shape(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x4xf32>) {
  // expected-error @below {{'scales destination' must have shape [4, 2] for the per_group scheme, but has shape [4, 4]}}
  %q, %s = norm.quantize per_group(4) %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x4xf32> -> tensor<4x8xi8>, tensor<4x4xf32>
  return
}

// -----

func.func @quant_col_major_scale_shape(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x2xf32>) {
  // expected-error @below {{'scales destination' must have shape [2, 4] for the per_group scheme, but has shape [4, 2]}}
  %q, %s = norm.quantize per_group(4, col_major) %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x2xf32> -> tensor<4x8xi8>, tensor<4x2xf32>
  return
}

// -----

func.func @quant_scale_element_type(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf16>) {
  // expected-error @below {{'scales destination' must have element type f32, but has 'f16'}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf16> -> tensor<4x8xi8>, tensor<4x1xf16>
  return
}

// -----

func.func @quant_static_without_scale(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{the static scheme requires a 'scale' operand}}
  %q = norm.quantize static %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_static_with_scales(%x: tensor<4x8xf32>, %sc: tensor<1xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{the static scheme produces no scales, but a scales destination was given}}
  %q, %s = norm.quantize static %x : tensor<4x8xf32> scale %sc : tensor<1xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_static_scale_shape(%x: tensor<4x8xf32>, %sc: tensor<4xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{'scale' must have type tensor<1xf32> or tensor<f32> (or the memref equivalent), but has 'tensor<4xf32>'}}
  %q = norm.quantize static %x : tensor<4x8xf32> scale %sc : tensor<4xf32> into %q0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_static_scale_type(%x: tensor<4x8xf32>, %sc: tensor<1xf16>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{'scale' must have type tensor<1xf32> or tensor<f32> (or the memref equivalent), but has 'tensor<1xf16>'}}
  %q = norm.quantize static %x : tensor<4x8xf32> scale %sc : tensor<1xf16> into %q0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_static_scale_ub(%x: tensor<4x8xf32>, %sc: tensor<1xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{'scale_ub' only applies to dynamic schemes}}
  %q = norm.quantize static %x : tensor<4x8xf32> scale %sc : tensor<1xf32> into %q0 : tensor<4x8xi8> {scale_ub = 1.0 : f32} -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_static_min_scale(%x: tensor<4x8xf32>, %sc: tensor<1xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{'min_scale' only applies to dynamic schemes}}
  %q = norm.quantize static %x : tensor<4x8xf32> scale %sc : tensor<1xf32> into %q0 : tensor<4x8xi8> {min_scale = 1.0 : f32} -> tensor<4x8xi8>
  return
}

// -----

func.func @quant_smooth_shape(%x: tensor<4x8xf32>, %sm: tensor<4xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'smooth' must have shape [H] = [8] (the innermost dimension of 'input'), but has shape [4]}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> smooth %sm : tensor<4xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_smooth_type(%x: tensor<4x8xf32>, %sm: tensor<8xbf16>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'smooth' must have element type f32, but has 'bf16'}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> smooth %sm : tensor<8xbf16> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_clip(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'clip' must be a finite f32 > 0, but is -2}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> {clip = -2.0 : f32} -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_scale_ub(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'scale_ub' must be a finite f32 > 0, but is 0}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> {scale_ub = 0.0 : f32} -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_min_scale(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'min_scale' must be a finite f32 > 0, but is INF}}
  %q, %s = norm.quantize per_token %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> {min_scale = 0x7F800000 : f32} -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_unknown_scheme(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{expected quantization scheme 'per_token', 'per_group(G)' or 'static', but got 'per_tensor'}}
  %q, %s = norm.quantize per_tensor %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quant_unknown_layout(%x: tensor<4x8xf32>, %q0: tensor<4x8xi8>, %s0: tensor<4x2xf32>) {
  // expected-error @below {{expected scale layout 'row_major' or 'col_major', but got 'blocked'}}
  %q, %s = norm.quantize per_group(4, blocked) %x : tensor<4x8xf32> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x2xf32> -> tensor<4x8xi8>, tensor<4x2xf32>
  return
}

// -----

func.func @fused_residual_without_destination(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'residual' requires a 'residual_out' destination for the updated residual}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> residual %r : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>
  return
}

// -----

func.func @fused_residual_destination_without_residual(%x: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>, %r0: tensor<4x8xbf16>) {
  // expected-error @below {{'residual_out' is only valid with a 'residual'}}
  %q, %s, %r = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> residual_out %r0 : tensor<4x8xbf16> -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>, tensor<4x8xbf16>
  return
}

// -----

func.func @fused_residual_shape(%x: tensor<4x8xbf16>, %r: tensor<4x16xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>, %r0: tensor<4x16xbf16>) {
  // expected-error @below {{'residual' must have the shape of 'input' [4, 8], but has shape [4, 16]}}
  %q, %s, %rn = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> residual %r : tensor<4x16xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> residual_out %r0 : tensor<4x16xbf16> -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>, tensor<4x16xbf16>
  return
}

// -----

func.func @fused_residual_destination_type(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>, %r0: tensor<4x8xf32>) {
  // expected-error @below {{'residual_out' must have the element type of 'residual' ('bf16'), but has 'f32'}}
  %q, %s, %rn = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> residual %r : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> residual_out %r0 : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>, tensor<4x8xf32>
  return
}

// -----

func.func @fused_intermediate_type(%x: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'intermediate_type' must be f32, f16 or bf16, but is 'f8E4M3FN'}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> {intermediate_type = f8E4M3FN} -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>
  return
}

// -----

func.func @fused_intermediate_type_not_stored(%x: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>, %y0: tensor<4x8xbf16>) {
  // expected-error @below {{'intermediate_type' ('f16') must be the element type of 'normalized_out' ('bf16')}}
  %q, %s, %y = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> normalized_out %y0 : tensor<4x8xbf16> {intermediate_type = f16} -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>, tensor<4x8xbf16>
  return
}

// -----

func.func @fused_normalized_element_type(%x: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>, %y0: tensor<4x8xi8>) {
  // expected-error @below {{'normalized_out' must have element type f32, f16 or bf16, but has 'i8'}}
  %q, %s, %y = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> normalized_out %y0 : tensor<4x8xi8> -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>, tensor<4x8xi8>
  return
}

// -----

func.func @fused_normalized_shape(%x: tensor<?x8xbf16>, %q0: tensor<?x8xf8E4M3FN>, %s0: tensor<?x1xf32>, %y0: tensor<?x4xbf16>) {
  // expected-error @below {{'normalized_out' must have the shape of 'input' [?, 8], but has shape [?, 4]}}
  %q, %s, %y = norm.rmsnorm_quantize per_token %x : tensor<?x8xbf16> into %q0 : tensor<?x8xf8E4M3FN>, %s0 : tensor<?x1xf32> normalized_out %y0 : tensor<?x4xbf16> -> tensor<?x8xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4xbf16>
  return
}

// -----

func.func @fused_mixed_kinds(%x: memref<4x8xbf16>, %q: memref<4x8xi8>, %s: memref<4x1xf32>, %y0: tensor<4x8xbf16>) {
  // expected-error @below {{operands must be all tensors or all memrefs, but 'input' is a memref and 'normalized_out' is a tensor}}
  norm.rmsnorm_quantize per_token %x : memref<4x8xbf16> into %q : memref<4x8xi8>, %s : memref<4x1xf32> normalized_out %y0 : tensor<4x8xbf16>
  return
}

// -----

func.func @fused_into_type(%x: tensor<4x8xbf16>, %q0: tensor<4x8xbf16>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'into' must have element type f8E4M3FN, f8E4M3FNUZ, f8E5M2 or i8, but has 'bf16'}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xbf16>, %s0 : tensor<4x1xf32> -> tensor<4x8xbf16>, tensor<4x1xf32>
  return
}

// -----

func.func @fused_per_group_scales_shape(%x: tensor<4x256xbf16>, %q0: tensor<4x256xf8E4M3FN>, %s0: tensor<4x2xf32>) {
  // expected-error @below {{'scales destination' must have shape [2, 4] for the per_group scheme, but has shape [4, 2]}}
  %q, %s = norm.rmsnorm_quantize per_group(128, col_major) %x : tensor<4x256xbf16> into %q0 : tensor<4x256xf8E4M3FN>, %s0 : tensor<4x2xf32> -> tensor<4x256xf8E4M3FN>, tensor<4x2xf32>
  return
}

// -----

func.func @fused_static_scale_ub(%x: tensor<4x8xbf16>, %sc: tensor<1xf32>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{'scale_ub' only applies to dynamic schemes}}
  %q = norm.rmsnorm_quantize static %x : tensor<4x8xbf16> scale %sc : tensor<1xf32> into %q0 : tensor<4x8xi8> {scale_ub = 10.0 : f32} -> tensor<4x8xi8>
  return
}

// -----

func.func @fused_missing_scales(%x: tensor<4x8xbf16>, %q0: tensor<4x8xi8>) {
  // expected-error @below {{the per_token scheme requires a scales destination after the quantized output}}
  %q = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @fused_gamma_shape(%x: tensor<4x8xbf16>, %w: tensor<4xbf16>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'gamma' must have shape [H] = [8] (the innermost dimension of 'input'), but has shape [4]}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> gamma %w : tensor<4xbf16> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @fused_epsilon(%x: tensor<4x8xbf16>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'epsilon' must be a finite f32 > 0, but is 0}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> {epsilon = 0.0 : f32} -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @fused_smooth_type(%x: tensor<4x8xbf16>, %sm: tensor<8xbf16>, %q0: tensor<4x8xi8>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'smooth' must have element type f32, but has 'bf16'}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> smooth %sm : tensor<8xbf16> into %q0 : tensor<4x8xi8>, %s0 : tensor<4x1xf32> -> tensor<4x8xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @schedule_threads_per_row(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{threads_per_row must be a power of two in [1, 1024], but is 96}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 96, rows_per_block = 1, vector_width = 4, row_storage = registers>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_blocks_per_row(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{blocks_per_row must be a power of two in [1, 8] (a portable cluster), but is 16}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 4, row_storage = registers, blocks_per_row = 16>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_blocks_per_row_not_power_of_two(%x: tensor<?x96xf32>, %e: tensor<?x96xf32>) {
  // expected-error @below {{blocks_per_row must be a power of two in [1, 8] (a portable cluster), but is 3}}
  %y = norm.rmsnorm %x : tensor<?x96xf32> into %e : tensor<?x96xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 4, row_storage = registers, blocks_per_row = 3>} -> tensor<?x96xf32>
  return
}

// -----

func.func @schedule_split_rows_per_block(%x: tensor<?x4096xbf16>, %e: tensor<?x4096xbf16>) {
  // expected-error @below {{'schedule': blocks_per_row = 2 needs rows_per_block = 1 (a block works on one slice of one row), but it is 2}}
  %y = norm.rmsnorm %x : tensor<?x4096xbf16> into %e : tensor<?x4096xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 2, vector_width = 8, row_storage = registers, blocks_per_row = 2>} -> tensor<?x4096xbf16>
  return
}

// -----

func.func @schedule_split_dynamic(%x: tensor<?x?xbf16>, %e: tensor<?x?xbf16>) {
  // expected-error @below {{'schedule': blocks_per_row = 2 needs a static innermost dimension (the slices are fixed at compile time)}}
  %y = norm.rmsnorm %x : tensor<?x?xbf16> into %e : tensor<?x?xbf16> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream, blocks_per_row = 2>} -> tensor<?x?xbf16>
  return
}

// -----

func.func @schedule_split_vectors(%x: tensor<?x4104xbf16>, %e: tensor<?x4104xbf16>) {
  // 4104 = 8 * 513: whole 8-wide vectors, but not in 8 equal slices.
  // expected-error @below {{'schedule': blocks_per_row = 8 splits H = 4104 into slices that must be whole vectors of 8 columns: H must be a multiple of 64}}
  %y = norm.rmsnorm %x : tensor<?x4104xbf16> into %e : tensor<?x4104xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 8>} -> tensor<?x4104xbf16>
  return
}

// -----

func.func @schedule_split_groups(%x: tensor<?x1536xbf16>, %q0: tensor<?x1536xf8E4M3FN>, %s0: tensor<?x12xf32>) {
  // expected-error @below {{'schedule': blocks_per_row = 8 splits H = 1536 into slices that must be whole groups of 128 columns: H must be a multiple of 1024}}
  %q, %s = norm.quantize per_group(128) %x : tensor<?x1536xbf16> into %q0 : tensor<?x1536xf8E4M3FN>, %s0 : tensor<?x12xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 8, row_storage = stream, blocks_per_row = 8>} -> tensor<?x1536xf8E4M3FN>, tensor<?x12xf32>
  return
}

// -----

func.func @schedule_rows_per_block(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{rows_per_block must be >= 1, but is 0}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 0, vector_width = 4, row_storage = registers>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_block_too_large(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{threads_per_row * rows_per_block must be at most 1024 (threads per block), but is 512 * 4}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 4, vector_width = 4, row_storage = registers>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_partial_warp(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{threads_per_row * rows_per_block must be a multiple of 32 (whole warps), but is 48}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 16, rows_per_block = 3, vector_width = 4, row_storage = registers>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_vector_width(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{vector_width must be a power of two in [1, 16], but is 3}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 3, row_storage = registers>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_missing_field(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // A missing field without a default.
  // expected-error @below {{struct is missing required parameter: row_storage}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 4>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_row_storage_keyword(%x: tensor<?x64xf32>, %e: tensor<?x64xf32>) {
  // expected-error @below {{expected ::mlir::norm::RowStorage to be one of: registers, shared, stream}}
  // expected-error @below {{failed to parse Norm_ScheduleAttr parameter 'row_storage'}}
  %y = norm.rmsnorm %x : tensor<?x64xf32> into %e : tensor<?x64xf32> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 4, row_storage = disk>} -> tensor<?x64xf32>
  return
}

// -----

func.func @schedule_peeled_lanes(%x: tensor<?x100xbf16>, %e: tensor<?x100xbf16>) {
  // vector_width = 8 does not divide H: the row is peeled, and its head and
  // tail need up to 14 lanes.
  // expected-error @below {{'schedule': threads_per_row = 8 is too few for H = 100 that vector_width = 8 does not divide: the row's up to 14 unaligned head and tail elements take a lane each}}
  %y = norm.rmsnorm %x : tensor<?x100xbf16> into %e : tensor<?x100xbf16> {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 16, vector_width = 8, row_storage = registers>} -> tensor<?x100xbf16>
  return
}

// -----

func.func @schedule_peeled_lanes_dynamic(%x: tensor<?x?xf32>, %e: tensor<?x?xf32>) {
  // expected-error @below {{'schedule': threads_per_row = 4 is too few for a dynamic H that vector_width = 4 does not divide: the row's up to 6 unaligned head and tail elements take a lane each}}
  %y = norm.rmsnorm %x : tensor<?x?xf32> into %e : tensor<?x?xf32> {schedule = #norm.schedule<threads_per_row = 4, rows_per_block = 8, vector_width = 4, row_storage = stream>} -> tensor<?x?xf32>
  return
}

// -----

func.func @schedule_peeled_registers(%x: tensor<?x4095xbf16>, %e: tensor<?x4095xbf16>) {
  // 511 whole vectors over 16 lanes: 32 chunks of 8, and the edge element.
  // expected-error @below {{'schedule': row_storage = registers keeps 257 row elements per thread; at most 256 fit in registers}}
  %y = norm.rmsnorm %x : tensor<?x4095xbf16> into %e : tensor<?x4095xbf16> {schedule = #norm.schedule<threads_per_row = 16, rows_per_block = 2, vector_width = 8, row_storage = registers>} -> tensor<?x4095xbf16>
  return
}

// -----

func.func @schedule_access_too_wide(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xf32>, %e: tensor<?x4096xbf16>) {
  // The f32 residual is the widest row element: 8 of them are 32 bytes.
  // expected-error @below {{'schedule': vector_width = 8 makes 32-byte accesses to the 4-byte row elements; at most 16 bytes per access}}
  %y, %s = norm.add_rmsnorm %x : tensor<?x4096xbf16>, residual %r : tensor<?x4096xf32> into %e : tensor<?x4096xbf16>, %r : tensor<?x4096xf32> {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x4096xbf16>, tensor<?x4096xf32>
  return
}

// -----

func.func @schedule_group_lanes(%x: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x32xf32>) {
  // expected-error @below {{'schedule': a group of 128 columns takes 16 lanes of 8 elements; it must be a power of two of at most threads_per_row = 8}}
  %q, %s = norm.quantize per_group(128) %x : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x32xf32> {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 4, vector_width = 8, row_storage = stream>} -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf32>
  return
}

// -----

func.func @schedule_group_lanes_power_of_two(%x: tensor<?x768xbf16>, %q0: tensor<?x768xi8>, %s0: tensor<?x8xf32>) {
  // expected-error @below {{'schedule': a group of 96 columns takes 12 lanes of 8 elements; it must be a power of two of at most threads_per_row = 128}}
  %q, %s = norm.rmsnorm_quantize per_group(96) %x : tensor<?x768xbf16> into %q0 : tensor<?x768xi8>, %s0 : tensor<?x8xf32> {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x768xi8>, tensor<?x8xf32>
  return
}

// -----

func.func @schedule_vector_width_divides_group(%x: tensor<?x64xf16>, %q0: tensor<?x64xi8>, %s0: tensor<?x16xf32>) {
  // expected-error @below {{'schedule': vector_width = 8 must divide the group size 4}}
  %q, %s = norm.quantize per_group(4) %x : tensor<?x64xf16> into %q0 : tensor<?x64xi8>, %s0 : tensor<?x16xf32> {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 16, vector_width = 8, row_storage = registers>} -> tensor<?x64xi8>, tensor<?x16xf32>
  return
}

// -----

func.func @schedule_registers_dynamic_h(%x: tensor<?x?xbf16>, %e: tensor<?x?xbf16>) {
  // expected-error @below {{'schedule': row_storage = registers needs a static innermost dimension (the row's size is fixed at compile time); use stream}}
  %y = norm.rmsnorm %x : tensor<?x?xbf16> into %e : tensor<?x?xbf16> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 1, row_storage = registers>} -> tensor<?x?xbf16>
  return
}

// -----

func.func @schedule_shared_dynamic_h(%x: memref<?x?xbf16>, %e: memref<?x?xbf16>) {
  // expected-error @below {{'schedule': row_storage = shared needs a static innermost dimension (the row's size is fixed at compile time); use stream}}
  norm.rmsnorm %x : memref<?x?xbf16> into %e : memref<?x?xbf16> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 1, row_storage = shared>}
  return
}

// -----

func.func @schedule_registers_too_many(%x: tensor<?x65536xbf16>, %e: tensor<?x65536xbf16>) {
  // expected-error @below {{'schedule': row_storage = registers keeps 2048 row elements per thread; at most 256 fit in registers (use more threads_per_row, shared or stream)}}
  %y = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x65536xbf16>
  return
}

// -----

func.func @normalized_type_not_float(%x: tensor<4x8xbf16>, %w: tensor<8xbf16>, %e: tensor<4x8xbf16>) {
  // expected-error @below {{'normalized_type' must be f32, f16 or bf16, but is 'f8E4M3FN'}}
  %y = norm.rmsnorm %x : tensor<4x8xbf16>, gamma %w : tensor<8xbf16> into %e : tensor<4x8xbf16> {normalized_type = f8E4M3FN} -> tensor<4x8xbf16>
  return
}

// -----

func.func @normalized_type_without_gamma(%x: tensor<4x8xbf16>, %e: tensor<4x8xbf16>) {
  // expected-error @below {{'normalized_type' requires 'gamma': it rounds the normalized value before the multiply by gamma}}
  %y = norm.rmsnorm %x : tensor<4x8xbf16> into %e : tensor<4x8xbf16> {normalized_type = bf16} -> tensor<4x8xbf16>
  return
}

// -----

func.func @normalized_type_weight_offset(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %w: tensor<8xbf16>, %e: tensor<4x8xbf16>) {
  // expected-error @below {{'normalized_type' requires 'weight_offset' = 0, but it is 1}}
  %y, %rn = norm.add_rmsnorm %x : tensor<4x8xbf16>, residual %r : tensor<4x8xbf16>, gamma %w : tensor<8xbf16> into %e : tensor<4x8xbf16>, %r : tensor<4x8xbf16> {normalized_type = bf16, weight_offset = 1.0 : f32} -> tensor<4x8xbf16>, tensor<4x8xbf16>
  return
}

// -----

func.func @fused_normalized_type_without_gamma(%x: tensor<4x8xbf16>, %q0: tensor<4x8xf8E4M3FN>, %s0: tensor<4x1xf32>) {
  // expected-error @below {{'normalized_type' requires 'gamma': it rounds the normalized value before the multiply by gamma}}
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<4x8xbf16> into %q0 : tensor<4x8xf8E4M3FN>, %s0 : tensor<4x1xf32> {normalized_type = f16} -> tensor<4x8xf8E4M3FN>, tensor<4x1xf32>
  return
}

// -----

// expected-error @below {{norm.row_cache_policy must be "streaming" or "evict_last_loads", not "evict_last"}}
func.func @bad_policy() attributes {norm.row_cache_policy = "evict_last"} {
  return
}

// -----

// expected-error @below {{norm.row_cache_policy must be on a function}}
module attributes {norm.row_cache_policy = "streaming"} {
}

// -----

// expected-error @below {{norm.kernels must be a dictionary on a module}}
module attributes {norm.kernels = 1 : i32} {
}

// -----

// expected-error @below {{unknown norm dialect attribute 'norm.kernel'}}
module attributes {norm.kernel = {}} {
}

// -----

// expected-error @below {{norm.kernels must be a dictionary on a module}}
func.func @kernels_on_function() attributes {norm.kernels = {}} {
  return
}

// -----

// expected-error @below {{norm.row_cache_policy must be "streaming" or "evict_last_loads", not 1 : i32}}
func.func @policy_not_a_string() attributes {norm.row_cache_policy = 1 : i32} {
  return
}

// -----

// expected-error @below {{unknown norm dialect attribute 'norm.row_cache'}}
func.func @unknown_on_function() attributes {norm.row_cache = "streaming"} {
  return
}
