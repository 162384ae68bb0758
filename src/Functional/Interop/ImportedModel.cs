using Functional.Core;
using Functional.Models;

namespace Functional.Interop;

/// <summary>A network rebuilt from an exported file, with its parameters and model state: enough to predict.</summary>
/// <param name="Net">The network, from the file's spec.</param>
/// <param name="Params">Its parameters.</param>
/// <param name="State">Its model state (BatchNorm's running statistics).</param>
public sealed record ImportedModel(Network Net, Params Params, ModelState State);
