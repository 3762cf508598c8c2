using System.Globalization;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Optim;

/// <summary>
/// Base of every optimizer: parameter groups, per-parameter state buffers (float arrays, created on the
/// first step and reused, so steps allocate nothing), a step counter, and state save/load such that a
/// resumed run continues bit-identically.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, ParameterState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>The parameter groups, in order.</summary>
    public List<ParamGroup> ParamGroups { get; } = [];

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Adds a group after validating it (no parameter may appear in two groups).</summary>
    public virtual void AddParamGroup(ParamGroup group)
    {
        group.Validate();
        var seen = ParamGroups.SelectMany(g => g.Parameters).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var p in group.Parameters)
            if (!seen.Add(p)) throw new ArgumentException($"Parameter '{p.Name}' appears in more than one parameter group.");
        ParamGroups.Add(group);
    }

    /// <summary>Drops the gradients of every parameter of every group.</summary>
    public void ZeroGrad()
    {
        foreach (var g in ParamGroups)
            foreach (var p in g.Parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update using the parameters' current gradients (parameters without one are skipped).</summary>
    public abstract void Step();

    /// <summary>State of a parameter (created empty on first use).</summary>
    protected ParameterState State(Parameter p)
    {
        if (!_state.TryGetValue(p, out var s)) _state[p] = s = new ParameterState();
        return s;
    }

    /// <summary>Saves step counters and every state buffer (safetensors layout; atomic; refuses to overwrite unless asked).</summary>
    public void SaveState(string path, bool overwrite = false)
    {
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string>
        {
            ["optimizer"] = GetType().Name,
            ["step_count"] = StepCount.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            int index = 0;
            for (int gi = 0; gi < ParamGroups.Count; gi++)
            {
                var g = ParamGroups[gi];
                meta[$"group.{gi}.lr"] = g.LearningRate.ToString("R", CultureInfo.InvariantCulture);
                meta[$"group.{gi}.initial_lr"] = g.InitialLearningRate.ToString("R", CultureInfo.InvariantCulture);
                foreach (var p in g.Parameters)
                {
                    if (_state.TryGetValue(p, out var s))
                    {
                        meta[$"param.{index}.step"] = s.Step.ToString(CultureInfo.InvariantCulture);
                        foreach (var (name, buffer) in s.Buffers)
                            tensors[$"{index}.{name}"] = Tensor.FromData(buffer, buffer.Length).Escape();
                    }
                    index++;
                }
            }
            SafeTensors.Save(path, tensors, meta, overwrite);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote, for an optimizer built over the same parameters.</summary>
    public void LoadState(string path)
    {
        var tensors = SafeTensors.Load(path, out var meta);
        try
        {
            if (meta.TryGetValue("optimizer", out var kind) && kind != GetType().Name)
                throw new InvalidDataException($"Optimizer state '{path}' was saved by {kind}, not {GetType().Name}.");
            StepCount = long.Parse(meta.GetValueOrDefault("step_count", "0"), CultureInfo.InvariantCulture);
            _state.Clear();
            int index = 0;
            for (int gi = 0; gi < ParamGroups.Count; gi++)
            {
                var g = ParamGroups[gi];
                if (meta.TryGetValue($"group.{gi}.lr", out var lr)) g.LearningRate = double.Parse(lr, CultureInfo.InvariantCulture);
                if (meta.TryGetValue($"group.{gi}.initial_lr", out var ilr)) g.InitialLearningRate = double.Parse(ilr, CultureInfo.InvariantCulture);
                foreach (var p in g.Parameters)
                {
                    if (meta.TryGetValue($"param.{index}.step", out var st))
                    {
                        var s = State(p);
                        s.Step = long.Parse(st, CultureInfo.InvariantCulture);
                        string prefix = $"{index}.";
                        foreach (var (name, t) in tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)))
                            s.Buffers[name[prefix.Length..]] = t.Span.ToArray();
                    }
                    index++;
                }
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}

/// <summary>Per-parameter optimizer state: named buffers and the parameter's own step count (for bias correction).</summary>
public sealed class ParameterState
{
    /// <summary>Buffers by name ("exp_avg", "exp_avg_sq", "momentum_buffer", …).</summary>
    public Dictionary<string, float[]> Buffers { get; } = new();

    /// <summary>Updates applied to this parameter.</summary>
    public long Step { get; set; }

    /// <summary>The buffer <paramref name="name"/> of <paramref name="length"/> zeros, created on first use.</summary>
    public float[] Buffer(string name, int length)
    {
        if (!Buffers.TryGetValue(name, out var b))
            Buffers[name] = b = new float[length];
        else if (b.Length != length)
            throw new InvalidOperationException($"Optimizer buffer '{name}' has {b.Length} elements but the parameter has {length}.");
        return b;
    }
}
