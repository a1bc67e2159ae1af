package probe

import (
	"fmt"
	"net/netip"
	"strings"
)

// Allow is the list of hosts probes may reach (GOLIVE_PROBE_ALLOW): host
// names ("api.example.com"), wildcards ("*.example.com" for its
// subdomains, "*" for any public host), addresses and networks
// ("10.1.2.3", "10.0.0.0/8"). Its zero value allows nothing.
//
// A name is checked as written, and then every address it resolves to is
// checked again before it is dialled: a loopback, private, link-local or
// otherwise special address is refused unless an address or network of
// the list holds it, whatever the name, so that a name pointed at the
// internal network (or at the cloud's metadata service) reaches nothing.
type Allow struct {
	names    []string // exact names, lower case
	suffixes []string // ".example.com" of "*.example.com"
	any      bool     // "*": every public host
	nets     []netip.Prefix
}

// ParseAllow reads a comma-separated list of host patterns; "" allows nothing.
func ParseAllow(s string) (Allow, error) {
	var a Allow
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "":
			continue
		case p == "*":
			a.any = true
		case strings.HasPrefix(p, "*."):
			if !validName(p[2:]) {
				return Allow{}, fmt.Errorf("probe allow-list: %q is not a wildcard over a domain name (write *.example.com)", p)
			}
			a.suffixes = append(a.suffixes, p[1:])
		case strings.Contains(p, "/"):
			n, err := netip.ParsePrefix(p)
			if err != nil {
				return Allow{}, fmt.Errorf("probe allow-list: %q is not a network (write 10.0.0.0/8): %w", p, err)
			}
			a.nets = append(a.nets, n.Masked())
		default:
			if ip, err := netip.ParseAddr(p); err == nil {
				a.nets = append(a.nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if !validName(p) {
				return Allow{}, fmt.Errorf("probe allow-list: %q is not a host name, *.domain, address or network", p)
			}
			a.names = append(a.names, strings.TrimSuffix(p, "."))
		}
	}
	return a, nil
}

// Empty tells whether the list allows nothing: probes are off.
func (a Allow) Empty() bool {
	return !a.any && len(a.names) == 0 && len(a.suffixes) == 0 && len(a.nets) == 0
}

// Host tells whether host (a name or an address, as a probe names it) may
// be reached, before any resolution; the error says why not.
func (a Allow) Host(host string) error {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if a.holds(ip) || (a.any && !special(ip)) {
			return nil
		}
		return fmt.Errorf("%s is not in GOLIVE_PROBE_ALLOW", host)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if a.any {
		return nil
	}
	for _, n := range a.names {
		if name == n {
			return nil
		}
	}
	for _, s := range a.suffixes {
		if strings.HasSuffix(name, s) {
			return nil
		}
	}
	return fmt.Errorf("%s is not in GOLIVE_PROBE_ALLOW", name)
}

// Addr tells whether an address a name resolved to may be dialled: any
// public address, and a special one only when the list holds it.
func (a Allow) Addr(ip netip.Addr) bool {
	return a.holds(ip) || !special(ip)
}

func (a Allow) holds(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, n := range a.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// specialNets are addresses no probe reaches unless the allow-list names
// them, beside what netip classifies: shared address space (carrier NAT),
// "this network", benchmarking, and the IPv6 translation prefixes that
// lead back to IPv4.
var specialNets = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// special tells whether ip is loopback, private, link-local (the cloud
// metadata service's 169.254.169.254 among them), multicast, unspecified
// or otherwise not a public unicast address.
func special(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return true
	}
	for _, n := range specialNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// validName tells whether s is a plausible DNS name.
func validName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
