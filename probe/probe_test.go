package probe_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/probe"
)

// fakeResolver answers from maps; a name it does not know is not found.
type fakeResolver struct {
	ips   map[string][]string
	cname map[string]string
	txt   map[string][]string
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, s := range f.ips[host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	if len(out) == 0 {
		return nil, notFound(host)
	}
	return out, nil
}

func (f fakeResolver) LookupCNAME(_ context.Context, host string) (string, error) {
	if c, ok := f.cname[host]; ok {
		return c, nil
	}
	return "", notFound(host)
}

func (f fakeResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if t, ok := f.txt[name]; ok {
		return t, nil
	}
	return nil, notFound(name)
}

// clock is a settable clock; each read advances it by step, so that a
// probe's duration is known.
type clock struct {
	at   atomic.Int64
	step time.Duration
}

func newClock(t time.Time, step time.Duration) *clock {
	c := &clock{step: step}
	c.at.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time { return time.Unix(0, c.at.Add(int64(c.step))-int64(c.step)).UTC() }

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func runner(t *testing.T, allow string, cfg probe.Config) *probe.Runner {
	t.Helper()
	a, err := probe.ParseAllow(allow)
	require.NoError(t, err)
	cfg.Allow = a
	if cfg.Now == nil {
		cfg.Now = newClock(t0, 0).Now
	}
	if cfg.Resolver == nil {
		cfg.Resolver = fakeResolver{}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	r, err := probe.New(cfg)
	require.NoError(t, err)
	return r
}

func mustProbe(t *testing.T, spec string) *checklist.Probe {
	t.Helper()
	p, err := checklist.ParseProbe(spec)
	require.NoError(t, err)
	return p
}

func TestHTTPProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			fmt.Fprint(w, `{"status":"all good"}`)
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/away":
			http.Redirect(w, r, "http://elsewhere.example.com/", http.StatusFound)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	// Each clock read moves 100 ms: a probe takes 100 ms.
	r := runner(t, u.Hostname(), probe.Config{Now: newClock(t0, 100*time.Millisecond).Now})

	tests := []struct {
		spec    string
		pass    bool
		summary string
	}{
		{"http " + srv.URL + "/health", true, "HTTP 200 in 100 ms"},
		{"http " + srv.URL + `/health contains="all good" max_ms=150`, true, "HTTP 200 in 100 ms"},
		{"http " + srv.URL + "/health max_ms=50", false, "HTTP 200 in 100 ms, slower than 50 ms"},
		{"http " + srv.URL + "/health contains=broken", false, `HTTP 200 in 100 ms, but the answer does not contain "broken"`},
		{"http " + srv.URL + "/down", false, "HTTP 503 in 100 ms, wanted 200"},
		{"http " + srv.URL + "/down status=503", true, "HTTP 503 in 100 ms"},
		{"http " + srv.URL + "/loop", false, "no answer: more than 3 redirects"},
		{"http " + srv.URL + "/away", false, "no answer: elsewhere.example.com is not in GOLIVE_PROBE_ALLOW"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			res := r.Run(context.Background(), mustProbe(t, tt.spec))
			assert.Equal(t, tt.pass, res.Pass, res.Summary)
			assert.Equal(t, tt.summary, res.Summary)
		})
	}
	res := r.Run(context.Background(), mustProbe(t, "http "+srv.URL+"/health"))
	assert.Equal(t, "100ms", res.Value)
}

func TestHTTPProbeTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	r := runner(t, "127.0.0.1", probe.Config{Timeout: 50 * time.Millisecond})
	res := r.Run(context.Background(), mustProbe(t, "http "+srv.URL))
	assert.False(t, res.Pass)
	assert.Contains(t, res.Summary, "no answer:")
}

// TestAllowListChecksTheAddressDialled: nothing is reached by default; a
// name allowed but resolving to a loopback, private or link-local address
// reaches nothing unless the list names that address.
func TestAllowListChecksTheAddressDialled(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	res := fakeResolver{ips: map[string][]string{
		"status.example.com":   {"127.0.0.1"},
		"metadata.example.com": {"169.254.169.254"},
	}}
	run := func(allow, target string) probe.Result {
		return runner(t, allow, probe.Config{Resolver: res, Timeout: time.Second}).
			Run(context.Background(), mustProbe(t, "http http://"+target+":"+port+"/"))
	}

	got := run("", "status.example.com")
	assert.Equal(t, "not probed: status.example.com is not in GOLIVE_PROBE_ALLOW", got.Summary)
	got = run("status.example.com", "status.example.com")
	assert.Equal(t, "no answer: status.example.com resolves to a private, loopback or link-local address, which GOLIVE_PROBE_ALLOW does not name", got.Summary)
	got = run("*", "status.example.com")
	assert.Contains(t, got.Summary, "resolves to a private, loopback or link-local address")
	got = run("*", "127.0.0.1")
	assert.Equal(t, "not probed: 127.0.0.1 is not in GOLIVE_PROBE_ALLOW", got.Summary)
	got = run("*.example.com, 10.0.0.0/8", "metadata.example.com")
	assert.Contains(t, got.Summary, "resolves to a private")
	assert.Zero(t, hits.Load(), "nothing was reached")

	got = run("status.example.com, 127.0.0.1", "status.example.com")
	assert.True(t, got.Pass, got.Summary)
	got = run("*.example.com,127.0.0.0/8", "status.example.com")
	assert.True(t, got.Pass, got.Summary)
	assert.Equal(t, int32(2), hits.Load())
}

func TestParseAllow(t *testing.T) {
	a, err := probe.ParseAllow("")
	require.NoError(t, err)
	assert.True(t, a.Empty())
	for _, bad := range []string{"*.", "exa mple.com", "10.0.0.0/33", "http://x.com"} {
		_, err := probe.ParseAllow(bad)
		assert.Error(t, err, bad)
	}
	a, err = probe.ParseAllow(" API.example.com ,*.svc.example.com, 10.1.0.0/16 ,::1")
	require.NoError(t, err)
	assert.NoError(t, a.Host("api.example.com"))
	assert.NoError(t, a.Host("grafana.svc.example.com"))
	assert.Error(t, a.Host("svc.example.com"), "a wildcard covers subdomains only")
	assert.Error(t, a.Host("example.com"))
	assert.NoError(t, a.Host("10.1.2.3"))
	assert.NoError(t, a.Host("::1"))
	assert.Error(t, a.Host("10.2.0.1"))
}

func TestTLSProbe(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	notAfter := srv.Certificate().NotAfter
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// httptest's certificate is for example.com (and 127.0.0.1).
	res := fakeResolver{ips: map[string][]string{"example.com": {"127.0.0.1"}, "api.example.org": {"127.0.0.1"}}}
	at := func(now time.Time) *probe.Runner {
		return runner(t, "example.com,api.example.org,127.0.0.1", probe.Config{Resolver: res, RootCAs: pool, Now: newClock(now, 0).Now})
	}

	got := at(notAfter.Add(-45*24*time.Hour)).Run(context.Background(), mustProbe(t, "tls example.com:"+port+" min_days=30"))
	assert.True(t, got.Pass, got.Summary)
	assert.Equal(t, "45d", got.Value)
	assert.Equal(t, fmt.Sprintf("certificate valid, expires in 45 days (%s)", notAfter.Format(time.DateOnly)), got.Summary)

	got = at(notAfter.Add(-10*24*time.Hour)).Run(context.Background(), mustProbe(t, "tls example.com:"+port+" min_days=30"))
	assert.False(t, got.Pass)
	assert.Contains(t, got.Summary, "expires in 10 days")

	got = at(notAfter.Add(time.Hour)).Run(context.Background(), mustProbe(t, "tls example.com:"+port))
	assert.False(t, got.Pass)
	assert.Contains(t, got.Summary, "certificate not valid:")
	assert.Contains(t, got.Summary, "expired")

	got = at(t0).Run(context.Background(), mustProbe(t, "tls api.example.org:"+port))
	assert.False(t, got.Pass, "the certificate is not for that name")
	assert.Contains(t, got.Summary, "certificate not valid:")

	got = runner(t, "example.com,127.0.0.1", probe.Config{Resolver: res}).Run(context.Background(), mustProbe(t, "tls example.com:"+port))
	assert.False(t, got.Pass, "an authority the runner does not trust")
}

func TestDNSProbe(t *testing.T) {
	res := fakeResolver{
		ips:   map[string][]string{"example.com": {"93.184.216.34", "2606:2800:220:1::1"}},
		cname: map[string]string{"www.example.com": "example.com."},
		txt:   map[string][]string{"example.com": {"v=spf1 include:_spf.example.net ~all"}},
	}
	r := runner(t, "*.example.com,example.com", probe.Config{Resolver: res})
	tests := []struct {
		spec    string
		pass    bool
		summary string
	}{
		{"dns example.com", true, "A 93.184.216.34"},
		{"dns example.com value=93.184.216.34", true, "A 93.184.216.34"},
		{"dns example.com value=10.0.0.1", false, "A 93.184.216.34, not 10.0.0.1"},
		{"dns example.com type=AAAA", true, "AAAA 2606:2800:220:1::1"},
		{"dns www.example.com type=CNAME value=EXAMPLE.com", true, "CNAME example.com"},
		{"dns example.com type=TXT value=v=spf1", true, "TXT v=spf1 include:_spf.example.net ~all"},
		{"dns missing.example.com", false, "no A record: no such name"},
		{"dns example.org", false, "not probed: example.org is not in GOLIVE_PROBE_ALLOW"},
	}
	for _, tt := range tests {
		got := r.Run(context.Background(), mustProbe(t, tt.spec))
		assert.Equal(t, tt.pass, got.Pass, tt.spec)
		assert.Equal(t, tt.summary, got.Summary, tt.spec)
	}
}

func TestPrometheusProbe(t *testing.T) {
	var queries []string
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query().Get("query")
		queries = append(queries, q)
		switch q {
		case "error_rate":
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1764576000,"0.004"]}]}}`)
		case "scalar(1)":
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"scalar","result":[1764576000,"1"]}}`)
		case "nothing":
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"parse error"}`)
		}
	}))
	defer prom.Close()
	r := runner(t, "127.0.0.1", probe.Config{})
	tests := []struct {
		spec    string
		pass    bool
		summary string
	}{
		{"prometheus " + prom.URL + " error_rate < 0.01", true, "0.004 (< 0.01)"},
		{"prometheus " + prom.URL + " error_rate < 0.001", false, "0.004, not < 0.001"},
		{"prometheus " + prom.URL + " scalar(1) == 1", true, "1 (== 1)"},
		{"prometheus " + prom.URL + " nothing < 1", false, "the query returned no data"},
		{"prometheus " + prom.URL + " rate( < 1", false, "the query failed: parse error"},
	}
	for _, tt := range tests {
		got := r.Run(context.Background(), mustProbe(t, tt.spec))
		assert.Equal(t, tt.pass, got.Pass, tt.spec)
		assert.Equal(t, tt.summary, got.Summary, tt.spec)
	}
	assert.Contains(t, queries, "rate(", "the query is sent as written")
}

func TestRunAllKeepsOrder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	r := runner(t, "127.0.0.1", probe.Config{Parallel: 3})
	var jobs []probe.Job
	for i := range 20 {
		path := "/ok"
		if i%4 == 0 {
			path = "/bad"
		}
		jobs = append(jobs, probe.Job{Item: i, Probe: mustProbe(t, "http "+srv.URL+path)})
	}
	results := r.RunAll(context.Background(), jobs)
	require.Len(t, results, 20)
	for i, res := range results {
		assert.Equal(t, i%4 != 0, res.Pass, "job %d", i)
	}
}
