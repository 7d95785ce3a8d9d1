using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Switchboard.Media.WebRtc;

namespace Switchboard.Server.Hosting;

/// <summary>Media options as configured, with the advertised address filled in when it cannot be the bind address.</summary>
internal static class MediaSettings
{
    public static MediaOptions Resolve(PbxHostOptions options)
    {
        var media = options.Media ?? new MediaOptions { BindAddress = IPAddress.Parse(options.BindAddress) };
        if (media.AdvertisedAddress is null && (media.BindAddress.Equals(IPAddress.Any) || media.BindAddress.Equals(IPAddress.IPv6Any)))
        {
            // A wildcard cannot be written in an answer: advertise the first address a browser on the LAN can reach.
            media = media with { AdvertisedAddress = FirstUnicastIPv4() ?? IPAddress.Loopback };
        }

        return media;
    }

    private static IPAddress? FirstUnicastIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
}
