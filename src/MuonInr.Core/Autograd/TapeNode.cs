using MuonInr.Tensors;

namespace MuonInr.Autograd;

/// <summary>Which derivative rule of <see cref="DerivativeRules"/> a recorded op uses.</summary>
internal enum OpKind
{
    MatMul,
    Linear,
    Relu,
    MseLoss,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Scale,
    AddScalar,
    Exp,
    Log,
    Sin,
    Cos,
    Tanh,
    Square,
    Sqrt,
    Abs,
    Sum,
    Mean,
    SumAxis,
    MeanAxis,
    Reshape,
    GatherRows,
    ScatterAddRows,
    SliceRows,
    SliceColumns,
    ConcatColumns,
    Custom,
    // INR activations
    Sine,
    Gaussian,
    Finer,
    RealGabor,
    ComplexGabor,
    ComplexWeightBlock,
    ComplexBiasBlock,
    FourierFeatures,
    PositionalEncoding,
    // convolutional networks and classification
    Conv2d,
    MaxPool2d,
    CrossEntropy,
}

/// <summary>
/// One recorded op: its inputs and what its backward rule needs. Plain fields rather than closures so
/// recording an op allocates one small object and rules stay together in one file.
/// </summary>
internal sealed class TapeNode
{
    public OpKind Op;
    public Tensor? A, B, C;
    /// <summary>Inputs of n-ary ops (concatenation); null otherwise.</summary>
    public Tensor[]? Inputs;
    /// <summary>An extra tensor the rule needs (e.g. the saved MSE gradient).</summary>
    public Tensor? Saved;
    public float S0;
    public int I0, I1;
    public bool F0, F1;
    public object? Extra;
    /// <summary>Visit mark of the topological sort.</summary>
    public int Epoch;

    public TapeNode(OpKind op) => Op = op;
}
