package checklist

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// Probe is a check golive runs itself for an item: its result is the
// item's evidence (a pass ticks it, a fail unticks it). It is written
// "<kind> <target> [key=value ...]", on the command line or in the
// Markdown as `<!-- golive: tls api.example.com min_days=30 -->`.
type Probe struct {
	Kind ProbeKind
	// Target is what is checked: the URL of http, the host[:port] of tls
	// (the port defaults to 443), the name of dns, the Prometheus API's
	// base URL of prometheus.
	Target string
	// http: the status wanted (default 200), the longest answer in
	// milliseconds (0: any), a text the body must contain ("": any).
	Status   int
	MaxMS    int
	Contains string
	// tls: how many days the certificate must still be valid for.
	MinDays int
	// dns: the record type (A, AAAA, CNAME or TXT; default A) and a value
	// one of the answers must be ("": any answer will do).
	Type  string
	Value string
	// prometheus: an instant query whose first result must compare to
	// Threshold as Op says: "error rate < 0.01".
	Query     string
	Op        string
	Threshold float64
}

// ProbeKind is what a probe checks.
type ProbeKind string

// Kinds of Probe.
const (
	ProbeHTTP       ProbeKind = "http"
	ProbeTLS        ProbeKind = "tls"
	ProbeDNS        ProbeKind = "dns"
	ProbePrometheus ProbeKind = "prometheus"
)

// Limits of a probe's spec.
const (
	MaxProbeSpec = 500
	maxMS        = 60_000
	maxMinDays   = 3650
)

// ProbeOps are the comparisons a prometheus probe may make.
var ProbeOps = []string{"<", "<=", ">", ">=", "==", "!="}

// ProbeHow says how a probe is written, for error messages.
const ProbeHow = "a probe is one of: `http URL [status=200] [max_ms=800] [contains=TEXT]`, `tls HOST[:PORT] [min_days=N]`, " +
	"`dns NAME [type=A|AAAA|CNAME|TXT] [value=...]`, `prometheus URL QUERY <op> <value>`"

// ParseProbe reads a probe's spec. The error says what is wrong in words
// a person can act on. A probe is kept as its spec (String), so a spec
// whose probe would not read back the same (quotes inside a quoted value)
// is refused.
func ParseProbe(spec string) (*Probe, error) {
	p, err := parseProbe(spec)
	if err != nil {
		return nil, err
	}
	if again, err := parseProbe(p.String()); err != nil || *again != *p {
		return nil, fmt.Errorf("the probe %q cannot be kept as written: put no double quote next to a space inside a quoted value", spec)
	}
	return p, nil
}

func parseProbe(spec string) (*Probe, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("the probe is empty: %s", ProbeHow)
	}
	if len(spec) > MaxProbeSpec {
		return nil, fmt.Errorf("the probe is %d characters long; at most %d", len(spec), MaxProbeSpec)
	}
	if strings.ContainsFunc(spec, unicode.IsControl) || strings.Contains(spec, "--") {
		return nil, fmt.Errorf("the probe must be one line, without control characters or \"--\" (which would end its Markdown comment)")
	}
	words, err := probeWords(spec)
	if err != nil {
		return nil, err
	}
	p := &Probe{Kind: ProbeKind(strings.ToLower(words[0]))}
	if len(words) < 2 {
		return nil, fmt.Errorf("the %s probe needs a target: %s", words[0], ProbeHow)
	}
	args := words[1:]
	switch p.Kind {
	case ProbeHTTP:
		err = p.readHTTP(args)
	case ProbeTLS:
		err = p.readTLS(args)
	case ProbeDNS:
		err = p.readDNS(args)
	case ProbePrometheus:
		err = p.readPrometheus(args)
	default:
		return nil, fmt.Errorf("%q is not a kind of probe: %s", words[0], ProbeHow)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// probeWords splits a spec at spaces. A word, or the value of a
// key=value word, that starts with a double quote runs to the quote that
// ends it (before a space or the end): it may hold spaces, and quotes
// inside it are kept (`{code=~"5.."}`).
func probeWords(s string) ([]string, error) {
	var words []string
	for s = strings.TrimLeft(s, " "); s != ""; s = strings.TrimLeft(s, " ") {
		open := 0
		if s[0] == '"' {
			open = 1
		} else if k, v, ok := strings.Cut(strings.SplitN(s, " ", 2)[0], "="); ok && strings.HasPrefix(v, `"`) && !strings.Contains(k, `"`) {
			open = len(k) + 2
		}
		if open == 0 {
			w, rest, _ := strings.Cut(s, " ")
			words, s = append(words, w), rest
			continue
		}
		end := strings.Index(s[open:]+" ", `" `)
		if end < 0 {
			return nil, fmt.Errorf("the probe opens a quote it does not close")
		}
		end += open
		words = append(words, s[:open-1]+s[open:end])
		s = s[min(end+1, len(s)):]
	}
	return words, nil
}

// options reads the key=value words of a probe into set, by the keys it
// knows; anything else is an error.
func options(kind ProbeKind, words []string, set map[string]func(string) error) error {
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		f := set[strings.ToLower(k)]
		if !ok || f == nil {
			keys := make([]string, 0, len(set))
			for k := range set {
				keys = append(keys, k+"=")
			}
			return fmt.Errorf("%q is not an option of a %s probe (%s): %s", w, kind, strings.Join(sorted(keys), ", "), ProbeHow)
		}
		if err := f(v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func intIn(dst *int, lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		*dst = n
		return nil
	}
}

func (p *Probe) readHTTP(args []string) error {
	u, err := probeURL(args[0])
	if err != nil {
		return err
	}
	p.Target, p.Status = u, 200
	return options(p.Kind, args[1:], map[string]func(string) error{
		"status": intIn(&p.Status, 100, 599),
		"max_ms": intIn(&p.MaxMS, 1, maxMS),
		"contains": func(v string) error {
			if v == "" {
				return fmt.Errorf("say what text the answer must contain")
			}
			p.Contains = v
			return nil
		},
	})
}

// probeURL checks an http or https address with a host and no password.
func probeURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("%q is not an http:// or https:// address", s)
	}
	if strings.ContainsFunc(s, unicode.IsSpace) || strings.ContainsRune(s, '"') {
		return "", fmt.Errorf("the address %q has a space or a quote: percent-encode them", s)
	}
	if u.User != nil {
		return "", fmt.Errorf("the address %q holds a user name or password: a checklist is no place for credentials", s)
	}
	if u.Fragment != "" {
		return "", fmt.Errorf("the address %q has a #fragment, which a probe does not send", s)
	}
	return s, nil
}

func (p *Probe) readTLS(args []string) error {
	host, port, err := net.SplitHostPort(args[0])
	if err != nil {
		host, port = args[0], "443"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not a port", port)
	}
	if !hostname(host) {
		return fmt.Errorf("%q is not a host name or address", host)
	}
	p.Target = net.JoinHostPort(host, port)
	return options(p.Kind, args[1:], map[string]func(string) error{
		"min_days": intIn(&p.MinDays, 0, maxMinDays),
	})
}

// dnsTypes are the record types a dns probe asks for.
var dnsTypes = []string{"A", "AAAA", "CNAME", "TXT"}

func (p *Probe) readDNS(args []string) error {
	name := strings.TrimSuffix(args[0], ".")
	if !hostname(name) || net.ParseIP(name) != nil {
		return fmt.Errorf("%q is not a domain name", args[0])
	}
	p.Target, p.Type = strings.ToLower(name), "A"
	return options(p.Kind, args[1:], map[string]func(string) error{
		"type": func(v string) error {
			v = strings.ToUpper(v)
			for _, t := range dnsTypes {
				if v == t {
					p.Type = v
					return nil
				}
			}
			return fmt.Errorf("%q is not a record type a probe asks for (%s)", v, strings.Join(dnsTypes, ", "))
		},
		"value": func(v string) error {
			if v == "" {
				return fmt.Errorf("say what value an answer must be")
			}
			p.Value = v
			return nil
		},
	})
}

func (p *Probe) readPrometheus(args []string) error {
	if len(args) < 4 {
		return fmt.Errorf("a prometheus probe is `prometheus URL QUERY <op> <value>`, for example `prometheus http://prom:9090 \"sum(rate(errors[5m]))\" < 0.01`")
	}
	u, err := probeURL(args[0])
	if err != nil {
		return err
	}
	op, value := args[len(args)-2], args[len(args)-1]
	if !isOp(op) {
		return fmt.Errorf("%q is not a comparison: one of %s", op, strings.Join(ProbeOps, " "))
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number to compare with", value)
	}
	p.Target, p.Query, p.Op, p.Threshold = strings.TrimSuffix(u, "/"), strings.Join(args[1:len(args)-2], " "), op, f
	return nil
}

func isOp(s string) bool {
	for _, op := range ProbeOps {
		if s == op {
			return true
		}
	}
	return false
}

// hostname tells whether s is a plausible host name or IP address: what a
// person meant to write, not whether it resolves.
func hostname(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Host is the host name or address the probe reaches first: the one the
// allow-list is checked against.
func (p *Probe) Host() string {
	switch p.Kind {
	case ProbeTLS:
		h, _, _ := net.SplitHostPort(p.Target)
		return h
	case ProbeDNS:
		return p.Target
	}
	u, err := url.Parse(p.Target)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// String writes the probe as it is read back: its kind, target and the
// options that differ from their defaults.
func (p *Probe) String() string {
	w := []string{string(p.Kind), p.Target}
	switch p.Kind {
	case ProbeHTTP:
		if p.Status != 200 {
			w = append(w, "status="+strconv.Itoa(p.Status))
		}
		if p.MaxMS > 0 {
			w = append(w, "max_ms="+strconv.Itoa(p.MaxMS))
		}
		if p.Contains != "" {
			w = append(w, "contains="+quoteWord(p.Contains))
		}
	case ProbeTLS:
		if p.MinDays > 0 {
			w = append(w, "min_days="+strconv.Itoa(p.MinDays))
		}
	case ProbeDNS:
		if p.Type != "A" {
			w = append(w, "type="+p.Type)
		}
		if p.Value != "" {
			w = append(w, "value="+quoteWord(p.Value))
		}
	case ProbePrometheus:
		w = append(w, quoteWord(p.Query), p.Op, strconv.FormatFloat(p.Threshold, 'g', -1, 64))
	}
	return strings.Join(w, " ")
}

// quoteWord quotes s when it holds a space. A double quote inside it
// cannot be written, and is dropped (ParseProbe never reads one).
func quoteWord(s string) string {
	if strings.ContainsRune(s, ' ') {
		return `"` + s + `"`
	}
	return s
}
