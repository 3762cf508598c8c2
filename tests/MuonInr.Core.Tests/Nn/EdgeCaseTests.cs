using System.Text;
using MuonInr.Autograd;
using MuonInr.Kernels;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Nn;

/// <summary>Edge cases found in review: NaN signs, empty products, duplicate checkpoint names, inferred shapes.</summary>
[Collection(MuonInr.Core.Tests.TestSupport.PoolCountersCollection.Name)]
public class EdgeCaseTests
{
    [Fact]
    public void Lion_propagates_a_nan_gradient_instead_of_throwing()
    {
        var p = new Parameter(Tensor.FromData([1f, 2f, 3f], 3).Escape());
        p.Grad = Tensor.FromData([0.5f, float.NaN, 0f], 3).Escape();
        new Lion([p], lr: 0.1).Step();
        Assert.Equal(0.9f, p[0], 6);
        Assert.True(float.IsNaN(p[1]));
        Assert.Equal(3f, p[2]); // sign(0) = 0
    }

    [Fact]
    public void Abs_backward_of_nan_is_nan_not_an_exception()
    {
        var x = Tensor.FromData([-2f, float.NaN, 0f, 3f], 4).Escape();
        x.RequiresGrad = true;
        using (new TensorScope()) Ops.Sum(Ops.Abs(x)).Backward();
        Assert.Equal(-1f, x.Grad![0]);
        Assert.True(float.IsNaN(x.Grad[1]));
        Assert.Equal(0f, x.Grad[2]);
        Assert.Equal(1f, x.Grad[3]);
    }

    [Fact]
    public void Renting_an_empty_buffer_allocates_nothing()
    {
        long before = TensorPool.Allocations;
        var b = TensorPool.Rent(0);
        Assert.Empty(b);
        TensorPool.Return(b);
        Assert.Equal(before, TensorPool.Allocations);
    }

    [Fact]
    public void Empty_products_are_empty_or_zero()
    {
        using var scope = new TensorScope();
        var x = Tensor.Zeros(0, 4);
        var lin = new Linear(4, 3, new Rng(1));
        Assert.Equal([0, 3], lin.Forward(x).ShapeArray);
        var c = new float[6];
        Array.Fill(c, 5f);
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 0, [], 3, 0.5f, c, 3); // k = 0: C = β·C
        Assert.All(c, v => Assert.Equal(2.5f, v));
        lin.Dispose();
    }

    [Fact]
    public void Safetensors_with_a_duplicate_name_is_rejected()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dup-{Guid.NewGuid():N}.safetensors");
        try
        {
            string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
            var h = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + h.Length + 8];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)h.Length);
            h.CopyTo(bytes, 8);
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsAny<Exception>(() => SafeTensors.Load(path));
            Assert.Contains("appears twice", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Reshape_infers_one_dimension()
    {
        using var scope = new TensorScope();
        var x = Tensor.FromData([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal([3, 2], Ops.Reshape(x, -1, 2).ShapeArray);
        Assert.Equal([6], Ops.Reshape(x, -1).ShapeArray);
        Assert.Throws<ArgumentException>(() => Ops.Reshape(x, -1, 4));
        Assert.Throws<ArgumentException>(() => Ops.Reshape(x, -1, -1));
    }
}
