using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

// Fit y = sin(4x) on [-1, 1] with an MLP (two hidden layers of 64): Muon for the hidden 64x64 matrix,
// the auxiliary Adam for the first and last layers and every bias.
const int n = 256;
var xs = new float[n];
var ys = new float[n];
for (int i = 0; i < n; i++) { xs[i] = -1 + 2f * i / (n - 1); ys[i] = MathF.Sin(4 * xs[i]); }
using var x = Tensor.FromData(xs, n, 1);
using var y = Tensor.FromData(ys, n, 1);

var rng = new Rng(seed: 0);
using var model = new Sequential(
    new Linear(1, 64, rng), new ReLU(),
    new Linear(64, 64, rng), new ReLU(),
    new Linear(64, 1, rng));
var optimizer = MuonWithAuxAdam.ForInr(model, muonLr: 0.02, adamLr: 1e-3);

for (int step = 0; step <= 300; step++)
{
    using var scope = new TensorScope();   // every tensor of this step goes back to the pool at the end
    optimizer.ZeroGrad();
    var loss = Ops.MseLoss(model.Forward(x), y);
    loss.Backward();
    optimizer.Step();
    if (step % 50 == 0) Console.WriteLine($"step {step,3}  loss {loss.Item():F6}");
}
