package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// httpClient is the client of http and prometheus probes: every
// connection through dialGuarded, no proxy from the environment (it would
// dial for us, unchecked), no keep-alive between probes, and redirects
// checked against the allow-list and counted.
func (r *Runner) httpClient() *http.Client {
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            r.dialGuarded,
		TLSClientConfig:        &tls.Config{RootCAs: r.rootCAs, MinVersion: tls.VersionTLS12, Time: r.now},
		TLSHandshakeTimeout:    r.timeout,
		ResponseHeaderTimeout:  r.timeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: t,
		Timeout:   r.timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > r.maxRedirects {
				return fmt.Errorf("more than %d redirects", r.maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("a redirect to %s: is not followed", req.URL.Scheme)
			}
			return r.allow.Host(req.URL.Hostname())
		},
	}
}

// get fetches u and reads at most maxBody of its answer.
func (r *Runner) get(ctx context.Context, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", "golive-probe")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp, body, err
}

func (r *Runner) runHTTP(ctx context.Context, p *checklist.Probe, start time.Time) Result {
	resp, body, err := r.get(ctx, p.Target)
	took := r.now().Sub(start)
	if err != nil {
		return fail("no answer: %s", httpError(err))
	}
	res := Result{Value: ms(took)}
	switch {
	case resp.StatusCode != p.Status:
		res.Summary = fmt.Sprintf("HTTP %d in %d ms, wanted %d", resp.StatusCode, took.Milliseconds(), p.Status)
	case p.MaxMS > 0 && took > time.Duration(p.MaxMS)*time.Millisecond:
		res.Summary = fmt.Sprintf("HTTP %d in %d ms, slower than %d ms", resp.StatusCode, took.Milliseconds(), p.MaxMS)
	case p.Contains != "" && !bytes.Contains(body, []byte(p.Contains)):
		res.Summary = fmt.Sprintf("HTTP %d in %d ms, but the answer does not contain %q", resp.StatusCode, took.Milliseconds(), p.Contains)
	default:
		res.Pass = true
		res.Summary = fmt.Sprintf("HTTP %d in %d ms", resp.StatusCode, took.Milliseconds())
	}
	return res
}

// httpError says why a request failed without the URL, which the item
// shows already.
func httpError(err error) string {
	var u *url.Error
	if errors.As(err, &u) {
		err = u.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}
