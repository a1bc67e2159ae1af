package probe

import (
	"context"
	"net"
	"slices"
	"strings"

	"github.com/golive/golive/internal/checklist"
)

// runDNS looks the name up for its record type: it passes when there is
// an answer, and when a value is wanted, when one of the answers is it.
func (r *Runner) runDNS(ctx context.Context, p *checklist.Probe) Result {
	var answers []string
	switch p.Type {
	case "CNAME":
		c, err := r.resolver.LookupCNAME(ctx, p.Target)
		if err != nil {
			return fail("no CNAME record: %v", dnsError(err))
		}
		answers = []string{strings.TrimSuffix(c, ".")}
	case "TXT":
		txt, err := r.resolver.LookupTXT(ctx, p.Target)
		if err != nil {
			return fail("no TXT record: %v", dnsError(err))
		}
		answers = txt
	default:
		ips, err := r.resolver.LookupIPAddr(ctx, p.Target)
		if err != nil {
			return fail("no %s record: %v", p.Type, dnsError(err))
		}
		for _, ip := range ips {
			if v4 := ip.IP.To4() != nil; v4 == (p.Type == "A") {
				answers = append(answers, ip.IP.String())
			}
		}
	}
	if len(answers) == 0 {
		return fail("no %s record", p.Type)
	}
	shown := strings.Join(answers, ", ")
	res := Result{Value: shown}
	if p.Value != "" && !slices.ContainsFunc(answers, func(a string) bool { return matches(p.Type, a, p.Value) }) {
		res.Summary = p.Type + " " + shown + ", not " + p.Value
		return res
	}
	res.Pass = true
	res.Summary = p.Type + " " + shown
	return res
}

// matches compares an answer with the value wanted: names without case or
// trailing dot, addresses as addresses, TXT as written (or as a prefix,
// "v=spf1" for a whole SPF record).
func matches(typ, answer, want string) bool {
	switch typ {
	case "CNAME":
		return strings.EqualFold(strings.TrimSuffix(answer, "."), strings.TrimSuffix(want, "."))
	case "TXT":
		return answer == want || strings.HasPrefix(answer, want)
	}
	a, w := net.ParseIP(answer), net.ParseIP(want)
	return a != nil && w != nil && a.Equal(w)
}
