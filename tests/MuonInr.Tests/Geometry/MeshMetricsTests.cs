using System.Numerics;
using MuonInr.Geometry;

namespace MuonInr.Tests.Geometry;

public class MeshMetricsTests
{
    private static readonly AxisAlignedBox Box = new(new Vector3(-0.7f), new Vector3(0.7f));

    [Fact]
    public void A_mesh_against_itself_gives_zero_chamfer_and_iou_one()
    {
        var s = MeshPrimitives.Icosphere(0.5f, 3, new Vector3(0.05f, 0, 0));
        var c = ChamferDistance.Measure(s, s, 5000, 3);
        Assert.True(c.MeanL1 < 1e-12, $"L1 {c.MeanL1}");
        Assert.True(c.SquaredSum < 1e-24, $"squared {c.SquaredSum}");
        Assert.Equal(1, VolumetricIou.Compute(s, s, Box, 48));
    }

    [Fact]
    public void Concentric_spheres_give_the_radius_gap()
    {
        const float r = 0.5f, d = 0.05f;
        var a = MeshPrimitives.Icosphere(r, 4);
        var b = MeshPrimitives.Icosphere(r + d, 4);
        var c = ChamferDistance.Measure(a, b, 20_000, 1);
        Assert.Equal(d, c.MeanL1, 0.02 * d);
        Assert.Equal(d, ChamferDistance.Compute(a, b, ChamferConvention.MeanL1, 20_000, 1), 0.02 * d);
        Assert.Equal(2 * d * d, c.SquaredSum, 0.04 * 2 * d * d);
        Assert.Equal(c.SquaredSum, ChamferDistance.Compute(b, a, ChamferConvention.SquaredSum, 20_000, 1), 0.02 * c.SquaredSum);
        double iou = VolumetricIou.Compute(a, b, new AxisAlignedBox(new Vector3(-0.6f), new Vector3(0.6f)), 96);
        Assert.Equal(Math.Pow(r / (r + d), 3), iou, 0.01);
    }

    [Fact]
    public void A_small_box_against_a_sphere_is_far_off()
    {
        var sphere = MeshPrimitives.Icosphere(0.5f, 3);
        var box = MeshPrimitives.Box(new Vector3(0.1f), new Vector3(0.2f));
        Assert.True(VolumetricIou.Compute(sphere, box, Box, 64) < 0.01);
        Assert.True(ChamferDistance.Compute(sphere, box, ChamferConvention.MeanL1, 5000) > 0.2);
    }

    [Fact]
    public void A_signed_field_and_its_mesh_agree()
    {
        var sphere = MeshPrimitives.Icosphere(0.5f, 4);
        FieldEvaluator sdf = (points, values) =>
        {
            for (int i = 0; i < values.Length; i++) values[i] = new Vector3(points[3 * i], points[3 * i + 1], points[3 * i + 2]).Length() - 0.5f;
        };
        Assert.True(VolumetricIou.Compute(sdf, sphere, Box, 64) > 0.98);
        Assert.Equal(1, VolumetricIou.Compute(sdf, sdf, Box, 16));
        Assert.Equal(1, VolumetricIou.FromOccupancy(new bool[8], new bool[8]));
    }
}
