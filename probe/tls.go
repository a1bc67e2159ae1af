package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// runTLS connects to the host, verifies its certificate chain for its
// name as a browser would, and measures how long until the first
// certificate of the chain expires.
func (r *Runner) runTLS(ctx context.Context, p *checklist.Probe, now time.Time) Result {
	host, _, err := net.SplitHostPort(p.Target)
	if err != nil {
		return fail("not probed: %v", err)
	}
	raw, err := r.dialGuarded(ctx, "tcp", p.Target)
	if err != nil {
		return fail("no connection: %s", httpError(err))
	}
	conn := tls.Client(raw, &tls.Config{ServerName: host, RootCAs: r.rootCAs, MinVersion: tls.VersionTLS12, Time: r.now})
	defer conn.Close()
	if err := conn.HandshakeContext(ctx); err != nil {
		return fail("certificate not valid: %s", httpError(err))
	}
	chains := conn.ConnectionState().VerifiedChains
	if len(chains) == 0 || len(chains[0]) == 0 {
		return fail("certificate not verified")
	}
	first := chains[0][0].NotAfter
	for _, c := range chains[0] {
		if c.NotAfter.Before(first) {
			first = c.NotAfter
		}
	}
	days := int(first.Sub(now) / (24 * time.Hour))
	res := Result{Value: fmt.Sprintf("%dd", days)}
	if days < p.MinDays {
		res.Summary = fmt.Sprintf("certificate valid, but expires in %d days (%s), fewer than %d", days, first.UTC().Format(time.DateOnly), p.MinDays)
		return res
	}
	res.Pass = true
	res.Summary = fmt.Sprintf("certificate valid, expires in %d days (%s)", days, first.UTC().Format(time.DateOnly))
	return res
}
