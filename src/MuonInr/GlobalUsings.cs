// TensorPrimitives by alias: importing System.Numerics.Tensors would make Tensor ambiguous.
global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
