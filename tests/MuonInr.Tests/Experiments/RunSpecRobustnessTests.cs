using System.Text;
using MuonInr.Experiments;
using MuonInr.Tasks;

namespace MuonInr.Tests.Experiments;

/// <summary>Hostile config.json files: every truncation and bit flip ends in a valid spec or one clear line.</summary>
public class RunSpecRobustnessTests
{
    private static readonly string Valid = RunSpecJson.Serialize(RunSpecResolver.Resolve(new RunSpec { Task = "ct", Data = "generated" }));

    private static void ParseAndResolve(string text)
    {
        try { RunSpecResolver.Resolve(RunSpecJson.Parse(text, "config.json")); }
        catch (RunSpecException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain('\n', e.Message.TrimEnd());
            Assert.DoesNotContain("System.", e.Message);
        }
    }

    [Fact]
    public void Truncation_at_every_byte_is_a_valid_spec_or_a_one_line_error()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < Valid.Length; n++) ParseAndResolve(Valid[..n]);
        Assert.True(sw.Elapsed.TotalSeconds < 20, $"took {sw.Elapsed}");
    }

    [Fact]
    public void Every_bit_flip_is_a_valid_spec_or_a_one_line_error()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);
        for (int i = 0; i < bytes.Length; i++)
            for (int bit = 0; bit < 8; bit += 3)
            {
                var b = (byte[])bytes.Clone();
                b[i] ^= (byte)(1 << bit);
                ParseAndResolve(Encoding.UTF8.GetString(b));
            }
    }

    [Theory]
    [InlineData("""{"task": "image", "steps": 1e400}""")]
    [InlineData("""{"task": "image", "steps": 99999999999999999999}""")]
    [InlineData("""{"task": "image", "model": {"omega": [1, "x"]}}""")]
    [InlineData("""{"task": "image", "options": {"crop": 5}}""")]
    [InlineData("""{"task": "image", "options": {"inpaint": "half"}}""")]
    [InlineData("""{"task": null}""")]
    [InlineData("""{"task": "image", "data": ""}""")]
    [InlineData("""{"task": "image", "model": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""")]
    public void Length_lies_and_wrong_shapes_are_one_line_errors(string json)
        => Assert.Throws<RunSpecException>(() => RunSpecResolver.Resolve(RunSpecJson.Parse(json)));
}
