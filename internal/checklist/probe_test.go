package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

func TestParseProbe(t *testing.T) {
	tests := []struct {
		spec string
		want checklist.Probe
		text string // as String writes it back
	}{
		{"http https://api.example.com/healthz", checklist.Probe{Kind: "http", Target: "https://api.example.com/healthz", Status: 200},
			"http https://api.example.com/healthz"},
		{`HTTP https://x.example.com status=204 max_ms=800 contains="all good"`,
			checklist.Probe{Kind: "http", Target: "https://x.example.com", Status: 204, MaxMS: 800, Contains: "all good"},
			`http https://x.example.com status=204 max_ms=800 contains="all good"`},
		{"tls api.example.com min_days=30", checklist.Probe{Kind: "tls", Target: "api.example.com:443", MinDays: 30},
			"tls api.example.com:443 min_days=30"},
		{"tls 10.0.0.7:8443", checklist.Probe{Kind: "tls", Target: "10.0.0.7:8443"}, "tls 10.0.0.7:8443"},
		{"dns Example.com. type=txt value=v=spf1", checklist.Probe{Kind: "dns", Target: "example.com", Type: "TXT", Value: "v=spf1"},
			"dns example.com type=TXT value=v=spf1"},
		{"dns www.example.com", checklist.Probe{Kind: "dns", Target: "www.example.com", Type: "A"}, "dns www.example.com"},
		{`prometheus http://prom:9090/ "sum(rate(errors{code=~"5.."}[5m])) / sum(rate(requests[5m]))" < 0.01`,
			checklist.Probe{Kind: "prometheus", Target: "http://prom:9090", Query: `sum(rate(errors{code=~"5.."}[5m])) / sum(rate(requests[5m]))`, Op: "<", Threshold: 0.01},
			`prometheus http://prom:9090 "sum(rate(errors{code=~"5.."}[5m])) / sum(rate(requests[5m]))" < 0.01`},
		{"prometheus http://prom:9090 up >= 1", checklist.Probe{Kind: "prometheus", Target: "http://prom:9090", Query: "up", Op: ">=", Threshold: 1},
			"prometheus http://prom:9090 up >= 1"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			p, err := checklist.ParseProbe(tt.spec)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *p)
			assert.Equal(t, tt.text, p.String())
			again, err := checklist.ParseProbe(p.String())
			require.NoError(t, err)
			assert.Equal(t, *p, *again, "String reads back as the same probe")
		})
	}
}

func TestParseProbeRefuses(t *testing.T) {
	tests := map[string]string{
		"":                                  "empty",
		"ping example.com":                  "not a kind of probe",
		"http":                              "needs a target",
		"http ftp://example.com":            "not an http:// or https://",
		"http https://u:pw@example.com":     "credentials",
		"http https://example.com stat=200": "not an option of a http probe",
		"http https://example.com status=9": "status",
		"tls exa mple.com":                  "not an option",
		"tls example.com:99999":             "not a port",
		"tls -bad-.com":                     "not a host name",
		"dns 10.0.0.1":                      "not a domain name",
		"dns example.com type=MX":           "not a record type",
		"prometheus http://p up":            "prometheus URL QUERY",
		"prometheus http://p up ~ 1":        "not a comparison",
		"prometheus http://p up < one":      "not a number",
		`http https://x.com contains="open`: "does not close",
		"http https://x.com/--> <b>":        "--",
		"http https://x.com/\nnext":         "one line",
	}
	for spec, want := range tests {
		t.Run(spec, func(t *testing.T) {
			_, err := checklist.ParseProbe(spec)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestParseReadsProbeComments(t *testing.T) {
	c, rep := mustParse(t, `# Launch

## Security

- [ ] SSL certificates configured <!-- golive: tls api.example.com min_days=30 -->
- [x] Health check endpoints implemented <!-- golive: http https://api.example.com/healthz max_ms=800 -->
- [ ] A plain <!-- an ordinary comment --> item
- [ ] Error rate low <!-- golive: prometheus http://prom:9090 -->
`)
	items := c.Items()
	require.Len(t, items, 4)
	assert.Equal(t, "SSL certificates configured", items[0].Text)
	require.NotNil(t, items[0].Probe)
	assert.Equal(t, "tls api.example.com:443 min_days=30", items[0].Probe.String())
	assert.True(t, items[1].Done)
	require.NotNil(t, items[1].Probe)
	assert.Equal(t, 800, items[1].Probe.MaxMS)
	assert.Equal(t, "A plain item", items[2].Text)
	assert.Nil(t, items[2].Probe)
	assert.Nil(t, items[3].Probe, "a probe that cannot be read is left out")
	require.Len(t, rep.Unresolved, 1)
	assert.Equal(t, 8, rep.Unresolved[0].Line)
	assert.Contains(t, rep.Unresolved[0].Reason, "its probe is not read: a prometheus probe is")
}

// FuzzParseProbe: a probe's spec never panics the parser, and a probe it
// reads writes back (String) as a spec that reads as the same probe, so
// the Markdown export and the store keep it whole.
func FuzzParseProbe(f *testing.F) {
	for _, s := range []string{
		"tls api.example.com min_days=30", `http https://x.example.com/health status=204 max_ms=800 contains="all good"`,
		"dns example.com type=TXT value=v=spf1", `prometheus http://prom:9090 "sum(rate(errors{code=~"5.."}[5m]))" < 0.01`,
		`http https://x.com contains=""`, `prometheus http://p "a" "b" <= 1e-3`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		p, err := checklist.ParseProbe(spec)
		if err != nil {
			return
		}
		again, err := checklist.ParseProbe(p.String())
		if err != nil {
			t.Fatalf("%q reads as %q, which does not read: %v", spec, p.String(), err)
		}
		if *again != *p {
			t.Fatalf("%q reads as %+v, written %q, read back as %+v", spec, *p, p.String(), *again)
		}
	})
}
