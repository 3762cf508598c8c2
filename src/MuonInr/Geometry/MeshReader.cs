namespace MuonInr.Geometry;

/// <summary>
/// Reads triangle meshes from Wavefront OBJ and Stanford PLY files (format chosen by the extension,
/// case-insensitive). Polygons are fan-split into triangles (v0, v_i, v_i+1), keeping their orientation;
/// degenerate triangles are kept; everything but positions and faces (normals, texture coordinates,
/// colours, other elements) is ignored.
/// <para>
/// Defects — an unknown extension, a truncated file, a bad number, an index out of range, a header
/// whose counts cannot fit in the file, a mesh without triangles — raise an
/// <see cref="InvalidDataException"/> with one line naming the file, the place (line, element and
/// record) and what was expected, e.g. "mesh.ply: face 12 refers to vertex 99 but the file has 40
/// vertices". Header counts are checked against the bytes that follow before anything is allocated.
/// </para>
/// </summary>
public static class MeshReader
{
    /// <summary>The extensions understood, with their dot.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".obj", ".ply"];

    /// <summary>Reads the mesh at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid mesh of a supported format.</exception>
    public static TriangleMesh Read(string path)
    {
        string name = Path.GetFileName(path);
        CheckExtension(name);
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a directory, not a mesh file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Mesh file '{path}' does not exist.", path);
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength) throw new InvalidDataException($"{name}: {length >> 20} MB is more than one mesh file may hold here (2 GB).");
        return Decode(File.ReadAllBytes(path), name);
    }

    /// <summary>Decodes mesh bytes; the extension of <paramref name="name"/> picks the format and the name starts error messages.</summary>
    public static TriangleMesh Decode(ReadOnlySpan<byte> data, string name)
    {
        return CheckExtension(name) switch
        {
            ".obj" => ObjFormat.Parse(data, name),
            _ => PlyFormat.Parse(data, name),
        };
    }

    private static string CheckExtension(string name)
    {
        string ext = Path.GetExtension(name).ToLowerInvariant();
        if (!Extensions.Contains(ext))
            throw new InvalidDataException($"{name}: unsupported mesh format '{(ext.Length > 0 ? ext : "(no extension)")}'; supported: {string.Join(", ", Extensions)}.");
        return ext;
    }
}
