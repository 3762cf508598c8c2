using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Base of every network component: named parameters and named submodules, walked in registration
/// order so parameter names ("layers.0.weight") and checkpoints match PyTorch's conventions.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Module Module)> _modules = [];

    /// <summary>Applies the module to a batch.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a parameter under <paramref name="name"/> and names it.</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        CheckName(name);
        parameter.Name ??= name;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _modules.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Module member name '{name}' must be non-empty and contain no '.'.");
        if (_parameters.Any(p => p.Name == name) || _modules.Any(m => m.Name == name))
            throw new ArgumentException($"Module already has a member named '{name}'.");
    }

    /// <summary>Direct submodules in registration order.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => _modules;

    /// <summary>Every parameter with its dotted path, depth first in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return (prefix + n, p);
        foreach (var (n, m) in _modules)
            foreach (var item in m.NamedParameters(prefix + n + "."))
                yield return item;
    }

    /// <summary>Every parameter, in <see cref="NamedParameters"/> order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every module in the tree (this one first) with its dotted path.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (n, m) in _modules)
            foreach (var item in m.NamedModules(prefix + n + "."))
                yield return item;
    }

    /// <summary>Total number of scalar parameters.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Length);

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Name → parameter map (live tensors, not copies).</summary>
    public Dictionary<string, Tensor> StateDict()
        => NamedParameters().ToDictionary(p => p.Name, p => (Tensor)p.Parameter);

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters. Every parameter must be present
    /// with the same shape; unknown keys are an error unless <paramref name="strict"/> is false.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var mine = NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, p) in mine)
        {
            if (!state.TryGetValue(name, out var t))
                throw new KeyNotFoundException($"State dict has no entry '{name}' (expected shape {Tensor.ShapeString(p.Shape)}).");
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new ArgumentException($"State dict entry '{name}' has shape {Tensor.ShapeString(t.Shape)} but the parameter has {Tensor.ShapeString(p.Shape)}.");
        }
        if (strict)
        {
            var extra = state.Keys.Where(k => !mine.ContainsKey(k)).ToList();
            if (extra.Count > 0) throw new ArgumentException($"State dict has unexpected entries: {string.Join(", ", extra)}.");
        }
        foreach (var (name, p) in mine) state[name].Span.CopyTo(p.Span);
    }

    /// <summary>Saves the parameters in the safetensors layout (atomically; refuses to overwrite unless asked).</summary>
    public void Save(string path, bool overwrite = false, IReadOnlyDictionary<string, string>? metadata = null)
        => SafeTensors.Save(path, StateDict(), metadata, overwrite);

    /// <summary>Loads parameters from a safetensors file written by <see cref="Save"/> or by PyTorch's safetensors.</summary>
    public void Load(string path, bool strict = true)
    {
        var state = SafeTensors.Load(path);
        try { LoadStateDict(state, strict); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>Returns every parameter buffer to the pool.</summary>
    public void Dispose()
    {
        foreach (var p in Parameters()) p.Dispose();
        GC.SuppressFinalize(this);
    }
}
