using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Fakes;

internal sealed class InMemoryLoginFailureStore : ILoginFailureStore
{
    public List<LoginFailure> Failures { get; } = [];

    public Task RecordAsync(LoginFailure failure, CancellationToken ct = default)
    {
        Failures.Add(failure);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LoginFailure>> ListAsync(int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<LoginFailure>>([.. Failures.TakeLast(limit)]);
}
