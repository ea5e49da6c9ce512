using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>The operator put an account on the API allowlist or took it off.</summary>
/// <param name="AccountId">Account.</param>
/// <param name="Allowed">New state.</param>
public sealed record AccountAllowlisted(int AccountId, bool Allowed) : HostRecord;

/// <summary>The operator admitted an account to the closed beta or withdrew the admission.</summary>
/// <param name="AccountId">Account.</param>
/// <param name="Admitted">New state.</param>
public sealed record AccountAdmitted(int AccountId, bool Admitted) : HostRecord;
