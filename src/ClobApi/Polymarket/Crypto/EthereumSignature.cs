using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>Which 65-byte signatures are accepted.</summary>
public enum SignaturePolicy
{
    /// <summary>
    /// What the V1 exchange contract settles: ctf-exchange <c>Signatures.sol</c> calls OpenZeppelin
    /// <c>ECDSA.recover</c>, which rejects s &gt; n/2 and any v other than 27/28. ethers v5 always produces this form.
    /// </summary>
    ExchangeContract,

    /// <summary>Also v ∈ {0, 1} and high s, for tools that do not normalise; nothing the clients emit needs it.</summary>
    Lenient,
}

/// <summary>secp256k1 signatures in Ethereum's 65-byte r‖s‖v form: public-key recovery, address checks, and signing.</summary>
public static class EthereumSignature
{
    /// <summary>Length of an r‖s‖v signature.</summary>
    public const int Size = 65;

    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve);
    private static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);

    /// <summary>
    /// Recovers the 64-byte uncompressed public key (X‖Y) that produced <paramref name="signature"/> over the 32-byte
    /// <paramref name="digest"/>: R is rebuilt from r and the parity in v, then Q = r⁻¹(sR − eG).
    /// </summary>
    public static bool TryRecoverPublicKey(
        ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, SignaturePolicy policy, out byte[] publicKey)
    {
        publicKey = [];
        if (digest.Length != 32 || signature.Length != Size)
        {
            return false;
        }

        var v = signature[64];
        int recoveryId;
        if (v is 27 or 28)
        {
            recoveryId = v - 27;
        }
        else if (v is 0 or 1 && policy == SignaturePolicy.Lenient)
        {
            recoveryId = v;
        }
        else
        {
            return false;
        }

        var n = Curve.N;
        var r = new BcBigInteger(1, signature[..32]);
        var s = new BcBigInteger(1, signature[32..64]);
        if (r.SignValue <= 0 || r.CompareTo(n) >= 0 || s.SignValue <= 0 || s.CompareTo(n) >= 0)
        {
            return false;
        }

        if (policy == SignaturePolicy.ExchangeContract && s.CompareTo(HalfN) > 0)
        {
            return false;
        }

        // v only carries the y parity; Ethereum never uses recovery ids 2/3 (x = r + n), which are astronomically rare.
        Span<byte> compressed = stackalloc byte[33];
        compressed[0] = (byte)(0x02 + recoveryId);
        signature[..32].CopyTo(compressed[1..]);
        ECPoint bigR;
        try
        {
            bigR = Curve.Curve.DecodePoint(compressed.ToArray());
        }
        catch (ArgumentException)
        {
            // r is not the x of any curve point.
            return false;
        }

        var e = new BcBigInteger(1, digest.ToArray()).Mod(n);
        var rInv = r.ModInverse(n);
        var u1 = n.Subtract(e).Multiply(rInv).Mod(n);
        var u2 = s.Multiply(rInv).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, u1, bigR, u2).Normalize();
        if (q.IsInfinity)
        {
            return false;
        }

        publicKey = q.GetEncoded(false)[1..];
        return true;
    }

    /// <summary>Recovers the signer's address (20 bytes).</summary>
    public static bool TryRecoverAddress(
        ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, SignaturePolicy policy, out byte[] address)
    {
        address = [];
        if (!TryRecoverPublicKey(digest, signature, policy, out var publicKey))
        {
            return false;
        }

        address = EthereumAddress.FromPublicKey(publicKey);
        return true;
    }

    /// <summary>
    /// True when <paramref name="signatureHex"/> (0x + 130 hex) over <paramref name="digest"/> recovers to
    /// <paramref name="expectedAddress"/> (compared case-insensitively).
    /// </summary>
    public static bool Verify(
        ReadOnlySpan<byte> digest, string? signatureHex, string? expectedAddress,
        SignaturePolicy policy = SignaturePolicy.ExchangeContract)
    {
        return Hex.TryDecode(signatureHex, out var signature, Size)
            && EthereumAddress.TryParse(expectedAddress, out var expected)
            && TryRecoverAddress(digest, signature, policy, out var recovered)
            && recovered.AsSpan().SequenceEqual(expected);
    }

    /// <summary>Address of a 32-byte private key.</summary>
    public static byte[] AddressOf(ReadOnlySpan<byte> privateKey)
    {
        var d = ToScalar(privateKey);
        var q = Curve.G.Multiply(d).Normalize();
        return EthereumAddress.FromPublicKey(q.GetEncoded(false));
    }

    /// <summary>
    /// Signs a digest as ethers v5 does: RFC 6979 deterministic k (HMAC-SHA256), s normalised to the low half,
    /// v = 27 + y parity of R. Used by tests and tools that act as a client; the server only verifies.
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> privateKey)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("The digest is 32 bytes.", nameof(digest));
        }

        var d = ToScalar(privateKey);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var digestArray = digest.ToArray();
        var rs = signer.GenerateSignature(digestArray);
        var r = rs[0];
        var s = rs[1];
        if (s.CompareTo(HalfN) > 0)
        {
            s = Curve.N.Subtract(s);
        }

        var signature = new byte[Size];
        r.ToByteArrayUnsigned().CopyTo(signature.AsSpan(32 - r.ToByteArrayUnsigned().Length));
        s.ToByteArrayUnsigned().CopyTo(signature.AsSpan(64 - s.ToByteArrayUnsigned().Length));
        var expected = AddressOf(privateKey);
        // The parity of R is not returned by the signer, so try both ids and keep the one that recovers our key.
        for (byte v = 27; v <= 28; v++)
        {
            signature[64] = v;
            if (TryRecoverAddress(digestArray, signature, SignaturePolicy.ExchangeContract, out var address)
                && address.AsSpan().SequenceEqual(expected))
            {
                return signature;
            }
        }

        throw new InvalidOperationException("No recovery id reproduces the signing key.");
    }

    private static BcBigInteger ToScalar(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException("A private key is 32 bytes.", nameof(privateKey));
        }

        var d = new BcBigInteger(1, privateKey.ToArray());
        return d.SignValue > 0 && d.CompareTo(Curve.N) < 0
            ? d
            : throw new ArgumentException("The private key is outside [1, n).", nameof(privateKey));
    }
}
