using System.Buffers.Binary;
using System.Text;
using Functional.Core;
using Functional.Interop;
using Xunit;

namespace Functional.Tests.Interop;

/// <summary>
/// Damaged safetensors files: <see cref="SafeTensors.Decode"/> returns a Fin — the model, or one line naming the
/// source — and never throws, whatever bytes it is given (seeded mutations, the same on every run).
/// </summary>
public sealed class SafeTensorsFuzzTests
{
    static readonly byte[] Good = SafeTensors.Encode(
        ExportModels.Named("digits-bn").Net,
        ExportModels.Named("digits-bn").Params,
        ExportModels.Named("digits-bn").State
    );

    static readonly int HeaderEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(Good);

    /// <summary>Byte flips in the header, truncations, a rewritten header length and substitutions of JSON tokens.</summary>
    static byte[] Mutate(Key key, int trial)
    {
        ulong draw = 0;
        int Next(int n) => (int)(key.FoldIn((ulong)trial).Uniform(draw++) * n);
        var bytes = Good.ToArray();
        switch (trial % 4)
        {
            case 0: // flip bits of a few header bytes
                for (var k = 0; k < 1 + Next(3); k++)
                    bytes[8 + Next(HeaderEnd - 8)] ^= (byte)(1 << Next(8));
                return bytes;
            case 1: // cut anywhere
                return bytes[..Next(bytes.Length)];
            case 2: // another header length
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)Next(bytes.Length + 64));
                return bytes;
            default: // replace a digit, quote or bracket of the header by another such token
                const string tokens = "0123456789-\"[]{},:.eE ";
                var at = 8 + Next(HeaderEnd - 8);
                bytes[at] = (byte)tokens[Next(tokens.Length)];
                return bytes;
        }
    }

    [Fact]
    public void Damaged_files_are_a_one_line_error_or_a_model_never_an_exception()
    {
        var key = Key.Of(20261202);
        var failures = 0;
        for (var trial = 0; trial < 3000; trial++)
        {
            var bytes = Mutate(key, trial);
            LanguageExt.Fin<ImportedModel> r;
            try
            {
                r = SafeTensors.Decode(bytes, "fuzz.safetensors");
            }
            catch (Exception e)
            {
                Assert.Fail(
                    $"trial {trial}: {e.GetType().Name}: {e.Message}\n{Encoding.UTF8.GetString(bytes, 8, Math.Min(bytes.Length - 8, 400))}"
                );
                return;
            }
            r.IfFail(e =>
            {
                failures++;
                Assert.StartsWith("fuzz.safetensors: ", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', e.Message);
            });
        }
        Assert.True(failures > 1500, $"only {failures} of 3000 damaged files were refused");
    }
}
