namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>Written only on the call's shard (<see cref="PublishView"/>), read from any thread.</summary>
        private LiveCall? _view;

        /// <summary>The call's last picture of itself; before its first change of state, one made of what never changes.</summary>
        public LiveCall View => Volatile.Read(ref _view) ?? new LiveCall(CallId, _request.Caller.Domain, _request.Caller.Account,
            _request.Destination, _request.Origin, "", "routing", _startedAt, null, null, null);

        /// <summary>The portal's hang-up: posted, so the call's own loop ends it like any other input.</summary>
        public void EndByAdmin() => Post(new Input(InputKind.AdminHangup));

        /// <summary>Takes the picture on the call's shard, where route, answer and media may be read.</summary>
        private void PublishView() => Volatile.Write(ref _view, new LiveCall(CallId, _request.Caller.Domain, _request.Caller.Account,
            _request.Destination, _request.Origin, _routeName ?? _route.Name, _core.State.ToString().ToLowerInvariant(), _startedAt, _answeredAt,
            _media.Caller?.Audio.Codec.Codec.Name, _media.Callee?.Audio.Codec.Codec.Name)
        {
            CallerQuality = _liveCallerQuality,
            CalleeQuality = _liveCalleeQuality,
        });
    }
}
