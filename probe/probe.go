// Package probe runs the checks items carry (checklist.Probe) against the
// network: an HTTP endpoint, a TLS certificate, a DNS record, a Prometheus
// query. Every connection goes through one guarded dialer that reaches
// only what the allow-list lets it, checked on the address actually
// dialled; every probe is bounded by a timeout, every answer by a size,
// every redirect chain by a count. The network, the resolver and the clock
// are injected, so tests run against local servers only.
package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// Defaults of Config.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRedirects = 3
	DefaultParallel     = 64
	// maxBody bounds what is read of an answer: a health page or a query
	// result, not a download.
	maxBody = 1 << 20
	// maxSummary keeps a result's summary within what evidence takes.
	maxSummary = 280
)

// Resolver looks names up; *net.Resolver is one.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Config is what New needs; Allow and Now are required.
type Config struct {
	Allow Allow
	// Now reads the clock: when a probe ran, how long it took, how long a
	// certificate has left.
	Now func() time.Time
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial connects to an address already checked ("10.1.2.3:443");
	// default a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs are the certificate authorities TLS trusts; nil for the
	// system's.
	RootCAs *x509.CertPool
	// Timeout bounds one probe, connection to last byte; default 10 s.
	Timeout time.Duration
	// MaxRedirects bounds the redirects an http probe follows; default 3.
	MaxRedirects int
	// Parallel bounds the probes RunAll runs at once; default 64.
	Parallel int
}

// Runner runs probes.
type Runner struct {
	allow        Allow
	now          func() time.Time
	resolver     Resolver
	dial         func(ctx context.Context, network, addr string) (net.Conn, error)
	rootCAs      *x509.CertPool
	timeout      time.Duration
	maxRedirects int
	parallel     int
	client       *http.Client
}

// New checks cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Now == nil {
		return nil, errors.New("probe: a clock is required")
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Dial == nil {
		cfg.Dial = (&net.Dialer{Timeout: cfg.Timeout}).DialContext
	}
	if cfg.MaxRedirects < 0 {
		cfg.MaxRedirects = 0
	} else if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	r := &Runner{allow: cfg.Allow, now: cfg.Now, resolver: cfg.Resolver, dial: cfg.Dial, rootCAs: cfg.RootCAs,
		timeout: cfg.Timeout, maxRedirects: cfg.MaxRedirects, parallel: cfg.Parallel}
	r.client = r.httpClient()
	return r, nil
}

// Allow returns the runner's allow-list.
func (r *Runner) Allow() Allow { return r.allow }

// Result is what one run of a probe found.
type Result struct {
	Pass bool
	// Summary says what it found, in one line: "HTTP 200 in 142 ms".
	Summary string
	// Value is the measured value: "142ms", "45d", "0.004".
	Value string
	// At is when the probe started.
	At time.Time
	// Unfinished is set when the run's context ended before the probe
	// did: what it found says nothing of its target, and is no result.
	Unfinished bool
}

// Run runs p once, within the runner's timeout (and ctx's).
func (r *Runner) Run(ctx context.Context, p *checklist.Probe) Result {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	at := r.now()
	var res Result
	if err := r.allow.Host(p.Host()); err != nil {
		res = fail("not probed: %v", err)
	} else {
		switch p.Kind {
		case checklist.ProbeHTTP:
			res = r.runHTTP(ctx, p, at)
		case checklist.ProbeTLS:
			res = r.runTLS(ctx, p, at)
		case checklist.ProbeDNS:
			res = r.runDNS(ctx, p)
		case checklist.ProbePrometheus:
			res = r.runPrometheus(ctx, p)
		default:
			res = fail("not probed: %q is not a kind of probe", p.Kind)
		}
	}
	res.At = at
	res.Summary = clip(res.Summary)
	return res
}

// Job is one probe of a run of many.
type Job struct {
	Item  int
	Probe *checklist.Probe
}

// RunAll runs jobs, at most Parallel at once, and returns their results
// in the same order. Each ends within the runner's timeout; a job ctx
// ends before it ends, or before it starts, is Unfinished.
func (r *Runner) RunAll(ctx context.Context, jobs []Job) []Result {
	out := make([]Result, len(jobs))
	sem := make(chan struct{}, r.parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			out[i] = fail("not probed: the run ended first (%v)", ctx.Err())
			out[i].At, out[i].Unfinished = r.now(), true
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = r.Run(ctx, j.Probe)
			out[i].Unfinished = ctx.Err() != nil
		}()
	}
	wg.Wait()
	return out
}

func fail(format string, args ...any) Result {
	return Result{Summary: fmt.Sprintf(format, args...)}
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxSummary {
		return s
	}
	cut := maxSummary
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// dialGuarded connects to addr ("host:port") only as the allow-list lets
// it: the host by name, then each address it resolves to, which is the
// address dialled, so a name cannot lead the probe somewhere the list
// does not allow.
func (r *Runner) dialGuarded(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if err := r.allow.Host(host); err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		found, err := r.resolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", host, dnsError(err))
		}
		for _, f := range found {
			if ip, ok := netip.AddrFromSlice(f.IP); ok {
				ips = append(ips, ip.Unmap())
			}
		}
	}
	var errs []error
	refused := 0
	for _, ip := range ips {
		if !r.allow.Addr(ip) {
			refused++
			continue
		}
		c, err := r.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	switch {
	case len(errs) > 0:
		return nil, errors.Join(errs...)
	case refused > 0:
		// The address is not said: the channel need not learn the
		// internal network's layout.
		return nil, fmt.Errorf("%s resolves to a private, loopback or link-local address, which GOLIVE_PROBE_ALLOW does not name", host)
	}
	return nil, fmt.Errorf("%s has no address", host)
}

// dnsError shortens a resolver's error to what a person needs.
func dnsError(err error) error {
	var d *net.DNSError
	if errors.As(err, &d) && d.IsNotFound {
		return errors.New("no such name")
	}
	return err
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }
