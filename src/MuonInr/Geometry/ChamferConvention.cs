namespace MuonInr.Geometry;

/// <summary>Which of the two Chamfer distances in use a number is (they differ by more than a constant: squares vs absolute values).</summary>
public enum ChamferConvention
{
    /// <summary>
    /// mean_a d(a, B)² + mean_b d(b, A)²: squared distances, the two directions summed (the convention of
    /// Fan et al. 2017, DeepSDF and most SDF papers; two spheres of radii r and r + δ give 2δ²).
    /// </summary>
    SquaredSum,

    /// <summary>
    /// ½ (mean_a d(a, B) + mean_b d(b, A)): unsigned distances, the two directions averaged ("L1-Chamfer",
    /// in the mesh's units; two spheres of radii r and r + δ give δ).
    /// </summary>
    MeanL1,
}
