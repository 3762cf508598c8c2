using System.Buffers.Binary;
using System.Text;
using MuonInr.Geometry;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Geometry;

public class MeshIoTests
{
    // A square pyramid: quad base 0-1-2-3 and apex 4, with one side triangle (0, 1, 4).
    private static readonly float[] Positions = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5f, 0.5f, 1.25f];
    private static readonly int[] Fanned = [0, 1, 2, 0, 2, 3, 0, 1, 4];

    private static void AssertPyramid(TriangleMesh m)
    {
        Assert.Equal(Positions, m.Vertices);
        Assert.Equal(Fanned, m.Triangles);
    }

    /// <summary>The pyramid as PLY with extra vertex properties, a face colour before the index list, and an extra element.</summary>
    private static byte[] Ply(string encoding, string countType = "uchar", string indexType = "int", string listName = "vertex_indices", string coordType = "float")
    {
        var header = new StringBuilder();
        header.Append($"ply\nformat {encoding} 1.0\ncomment made by a test\nelement vertex 5\nproperty {coordType} x\nproperty {coordType} y\nproperty {coordType} z\n");
        header.Append("property float confidence\nproperty uchar intensity\n");
        header.Append($"element face 2\nproperty uchar red\nproperty list {countType} {indexType} {listName}\n");
        header.Append("element edge 1\nproperty int vertex1\nproperty list uchar short stuff\nend_header\n");
        var bytes = new List<byte>(Encoding.ASCII.GetBytes(header.ToString()));
        if (encoding == "ascii")
        {
            var body = new StringBuilder();
            for (int i = 0; i < 5; i++) body.Append($"{Positions[3 * i]} {Positions[3 * i + 1]} {Positions[3 * i + 2]} 0.5 7\n");
            body.Append("200 4 0 1 2 3\n9 3 0 1 4\n");
            body.Append("3 2 -1 -2\n");
            bytes.AddRange(Encoding.ASCII.GetBytes(body.ToString()));
            return [.. bytes];
        }
        bool le = encoding == "binary_little_endian";
        void Put(string type, double v)
        {
            var b = new byte[type switch { "uchar" or "char" => 1, "short" or "ushort" => 2, "double" => 8, _ => 4 }];
            switch (type)
            {
                case "uchar": b[0] = (byte)v; break;
                case "char": b[0] = (byte)(sbyte)v; break;
                case "short": if (le) BinaryPrimitives.WriteInt16LittleEndian(b, (short)v); else BinaryPrimitives.WriteInt16BigEndian(b, (short)v); break;
                case "ushort": if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); break;
                case "int": if (le) BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); else BinaryPrimitives.WriteInt32BigEndian(b, (int)v); break;
                case "uint": if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); break;
                case "float": if (le) BinaryPrimitives.WriteSingleLittleEndian(b, (float)v); else BinaryPrimitives.WriteSingleBigEndian(b, (float)v); break;
                case "double": if (le) BinaryPrimitives.WriteDoubleLittleEndian(b, v); else BinaryPrimitives.WriteDoubleBigEndian(b, v); break;
            }
            bytes.AddRange(b);
        }
        for (int i = 0; i < 5; i++)
        {
            for (int k = 0; k < 3; k++) Put(coordType, Positions[3 * i + k]);
            Put("float", 0.5); Put("uchar", 7);
        }
        Put("uchar", 200); Put(countType, 4); foreach (int i in new[] { 0, 1, 2, 3 }) Put(indexType, i);
        Put("uchar", 9); Put(countType, 3); foreach (int i in new[] { 0, 1, 4 }) Put(indexType, i);
        Put("int", 3); Put("uchar", 2); Put("short", -1); Put("short", -2);
        return [.. bytes];
    }

    private const string Obj = """
        # a pyramid
        mtllib pyramid.mtl
        o pyramid
        v 0 0 0
        v 1 0 0
        v 1 1 0
        v 0 1 0
        v 0.5 0.5 1.25 1.0
        vt 0 0
        vn 0 0 -1
        vn 0 -1 0
        g base
        usemtl stone
        s off
        f 1//1 2//1 3//1 4//1
        f -5/1/2 -4/1/2 -1/1/2
        l 1 2
        """;

    [Theory]
    [InlineData("ascii")]
    [InlineData("binary_little_endian")]
    [InlineData("binary_big_endian")]
    public void Ply_in_every_encoding_with_extra_properties_and_elements(string encoding)
    {
        AssertPyramid(MeshReader.Decode(Ply(encoding), "p.ply"));
        AssertPyramid(MeshReader.Decode(Ply(encoding, "ushort", "uint", "vertex_index", "double"), "p.ply"));
        AssertPyramid(MeshReader.Decode(Ply(encoding, "int", "short"), "p.ply"));
    }

    [Fact]
    public void Obj_with_normals_texture_coordinates_negative_indices_and_quads()
    {
        AssertPyramid(MeshReader.Decode(Encoding.ASCII.GetBytes(Obj), "p.obj"));
        AssertPyramid(MeshReader.Decode(Encoding.ASCII.GetBytes(Obj.Replace("\n", "\r\n").Replace("f -5/1/2", "f 1/1")), "P.OBJ"));
    }

    [Fact]
    public void Round_trip_through_files()
    {
        var mesh = MeshPrimitives.Icosphere(0.3f, 2, new System.Numerics.Vector3(0.1f, -1e-7f, 3e5f));
        string dir = Directory.CreateTempSubdirectory("muoninr-mesh").FullName;
        try
        {
            MeshWriter.WritePly(Path.Combine(dir, "m.ply"), mesh);
            MeshWriter.WriteObj(Path.Combine(dir, "m.obj"), mesh);
            foreach (var file in new[] { "m.ply", "m.obj" })
            {
                var back = MeshReader.Read(Path.Combine(dir, file));
                Assert.Equal(mesh.Vertices, back.Vertices);
                Assert.Equal(mesh.Triangles, back.Triangles);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string Error(byte[] data, string name) => Assert.Throws<InvalidDataException>(() => MeshReader.Decode(data, name)).Message;

    [Fact]
    public void Errors_name_the_file_the_place_and_the_expectation()
    {
        var ply = Encoding.ASCII.GetString(Ply("ascii"));
        Assert.Equal("mesh.ply: face 1 refers to vertex 9 but the file has 5 vertices.", Error(Encoding.ASCII.GetBytes(ply.Replace("9 3 0 1 4", "9 3 0 1 9")), "mesh.ply"));
        Assert.Contains("face 0 has 2 vertices", Error(Encoding.ASCII.GetBytes(ply.Replace("200 4 0 1 2 3", "200 2 0 1")), "m.ply"));
        Assert.Contains("vertex 2 (body line 3): 'abc' is not a valid Float32 for property 'y'", Error(Encoding.ASCII.GetBytes(ply.Replace("1 1 0 0.5 7", "1 abc 0 0.5 7")), "m.ply"));
        Assert.Contains("unknown property type 'flot'", Error(Encoding.ASCII.GetBytes(ply.Replace("property float confidence", "property flot confidence")), "m.ply"));
        Assert.Contains("no 'element face'", Error(Encoding.ASCII.GetBytes("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n"), "m.ply"));
        Assert.Contains("does not start with the 'ply' magic", Error("solid x\n"u8.ToArray(), "m.ply"));
        Assert.Contains("line 15: face refers to vertex 7 but the file has 5 vertices", Error(Encoding.ASCII.GetBytes(Obj.Replace("f 1//1 2//1 3//1 4//1", "f 1//1 2//1 7//1")), "m.obj"));
        Assert.Contains("line 16: face vertex -6 reaches before the first vertex", Error(Encoding.ASCII.GetBytes(Obj.Replace("-5/1/2", "-6/1/2")), "m.obj"));
        Assert.Contains("line 4: vertex coordinate '0x' is not a finite number", Error(Encoding.ASCII.GetBytes(Obj.Replace("v 0 0 0", "v 0x 0 0")), "m.obj"));
        Assert.Equal("m.obj: no faces (2 vertices); a mesh needs at least one triangle.", Error("v 0 0 0\nv 1 1 1\n"u8.ToArray(), "m.obj"));
        Assert.Equal("x.stl: unsupported mesh format '.stl'; supported: .obj, .ply.", Assert.Throws<InvalidDataException>(() => MeshReader.Read("/nonexistent/x.stl")).Message);
        Assert.Throws<FileNotFoundException>(() => MeshReader.Read("/nonexistent/x.ply"));
    }

    [Theory]
    [InlineData("4000000000")]
    [InlineData("2000000000")]
    public void A_lying_header_fails_before_allocating(string count)
    {
        var data = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Ply("binary_little_endian")).Replace("element vertex 5", "element vertex " + count));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var message = Error(data, "big.ply");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated before failing");
        Assert.Contains(count, message);
        // A lying list length in a binary face record.
        var lying = Ply("binary_little_endian", "int", "int");
        int bodyFace = lying.Length - (1 + 4 + 2 * 2) - (1 + 4 + 3 * 4) - (1 + 4 + 4 * 4) + 1; // the count field of face 0
        BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(bodyFace), 1_500_000_000);
        Assert.Contains("face 0: the file ends inside property 'vertex_indices' (truncated)", Error(lying, "lie.ply"));
    }

    public static IEnumerable<object[]> Files()
    {
        yield return [MeshWriter.EncodePly(MeshPrimitives.Box(new System.Numerics.Vector3(-1), new System.Numerics.Vector3(1))), "box.ply"];
        yield return [Ply("binary_big_endian", "ushort", "uint"), "be.ply"];
        yield return [Ply("ascii"), "a.ply"];
        yield return [Encoding.ASCII.GetBytes(Obj), "p.obj"];
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Truncation_at_every_byte_ends_in_a_mesh_or_a_one_line_InvalidDataException(byte[] data, string name)
    {
        var full = MeshReader.Decode(data, name);
        for (int cut = 0; cut < data.Length; cut++)
        {
            try
            {
                var m = MeshReader.Decode(data.AsSpan(0, cut), name);
                // A clean cut of a text file can leave a shorter valid mesh; it never has more triangles.
                Assert.True(m.TriangleCount <= full.TriangleCount && m.TriangleCount > 0, $"cut {cut}");
                Assert.False(name.EndsWith(".ply", StringComparison.Ordinal) && !name.StartsWith('a'), $"binary cut at {cut} of {data.Length} parsed");
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith(name + ": ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        }
    }

    [RequiresSharedFileFact("meshes/bun_zipper.ply", "meshes/armadillo_odedstein.obj")]
    public void Reads_the_shared_bunny_and_armadillo()
    {
        string bunny = SharedData.File("meshes/bun_zipper.ply"), armadillo = SharedData.File("meshes/armadillo_odedstein.obj");
        var b = MeshReader.Read(bunny);
        Assert.Equal(35947, b.VertexCount);
        Assert.Equal(69451, b.TriangleCount);
        var a = MeshReader.Read(armadillo);
        Assert.Equal(14587, a.VertexCount);
        Assert.Equal(29170, a.TriangleCount);
    }
}
