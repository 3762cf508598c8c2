using System.Text.Json.Nodes;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tests.TestSupport;

/// <summary>Architectures built from the image presets with a test's overrides (those that apply to the architecture).</summary>
public static class TestModels
{
    /// <summary>The resolved image-task model spec of <paramref name="name"/> with the applicable non-null fields of <paramref name="overrides"/>.</summary>
    public static ModelSpec Spec(string name, ModelSpec? overrides = null)
    {
        var node = (JsonObject)Presets.BuiltIn.Defaults("image", name, "adam", null)["model"]!.DeepClone();
        if (overrides is not null)
        {
            var o = RunSpecJson.ToNode(new RunSpec { Model = overrides })["model"] as JsonObject ?? [];
            var uses = Architectures.Uses(name);
            foreach (var (k, v) in o) if (uses.Contains(k)) node[k] = v?.DeepClone();
        }
        node["name"] = name;
        return RunSpecJson.FromNode(new JsonObject { ["model"] = node }).Model;
    }

    /// <summary>Builds <paramref name="name"/> from <see cref="Spec"/>.</summary>
    public static Module Create(string name, int inFeatures, int outFeatures, ModelSpec overrides, Rng rng)
        => Architectures.Create(Spec(name, overrides), inFeatures, outFeatures, rng);
}
