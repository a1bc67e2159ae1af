package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// reportTimeout bounds the whole call, so a CI job never hangs on golive.
const reportTimeout = 30 * time.Second

// maxReportAnswer caps how much of the API's answer is read.
const maxReportAnswer = 1 << 20

// runReport is `golive report`: a CI job reports a check's result on an
// item through the API, which ticks (--pass) or unticks (--fail) it. The
// token comes from --token or, better, GOLIVE_TOKEN, which keeps it out of
// process lists. It exits 0 once stored, 1 when the API refused or failed
// (its message on stderr), 2 on a usage error.
func runReport(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	base := fs.String("url", getenv("GOLIVE_URL"), "golive's address, for example https://golive.example.com (default GOLIVE_URL)")
	token := fs.String("token", "", "the launch's API token (default GOLIVE_TOKEN, which keeps it out of process lists)")
	launchRef := fs.String("launch", "", "the launch's id (shown by /golive status) or its channel's id")
	item := fs.Int("item", 0, "the item's number")
	pass := fs.Bool("pass", false, "the check passed: tick the item")
	fail := fs.Bool("fail", false, "the check failed: untick the item")
	summary := fs.String("summary", "", `what the check found, one line: "k6: p95 180 ms"`)
	evidenceURL := fs.String("evidence-url", "", "a link to the check's run")
	at := fs.String("at", "", "when the check ran, RFC 3339 (default now)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: golive report --url URL --launch L --item N --pass|--fail --summary TEXT [--evidence-url URL] [--at TIME]`)
		fmt.Fprintln(fs.Output(), "Reports a check's result on a launch's item through golive's API: --pass ticks it, --fail unticks it.")
		fmt.Fprintln(fs.Output(), "The token comes from GOLIVE_TOKEN (or --token, which process lists show). Exit status 0 once stored, 1 when refused.")
		fs.PrintDefaults()
	}
	rest, status, parsed := parseFlags(fs, args, false, stdout, stderr)
	if !parsed {
		return status
	}
	if *token == "" {
		*token = getenv("GOLIVE_TOKEN")
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "golive report: %s\n", msg)
		return 2
	}
	switch {
	case len(rest) > 0:
		return usage(fmt.Sprintf("unexpected argument %q", rest[0]))
	case *base == "":
		return usage("say where golive runs with --url (or GOLIVE_URL)")
	case *token == "":
		return usage("set the launch's API token in GOLIVE_TOKEN (or --token); its creator makes one with /golive token create \"ci\"")
	case *launchRef == "":
		return usage("say which launch with --launch: its id, shown by /golive status, or its channel's id")
	case *item <= 0:
		return usage("say which item with --item, by its number")
	case *pass == *fail:
		return usage("say --pass or --fail, one of them")
	case strings.TrimSpace(*summary) == "":
		return usage(`say what the check found with --summary, for example "k6: p95 180 ms"`)
	}
	result := "fail"
	if *pass {
		result = "pass"
	}
	body, err := json.Marshal(map[string]string{"status": result, "summary": *summary, "url": *evidenceURL, "at": *at})
	if err != nil {
		return usage(err.Error())
	}
	endpoint, err := reportEndpoint(*base, *launchRef, *item)
	if err != nil {
		return usage(err.Error())
	}

	ctx, cancel := context.WithTimeout(context.Background(), reportTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return usage(err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+*token)
	req.Header.Set("User-Agent", "golive-report/"+buildVersion())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "golive report: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxReportAnswer))
	if err != nil {
		fmt.Fprintf(stderr, "golive report: reading the answer: %v\n", err)
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "golive report: %s\n", apiError(resp, answer))
		return 1
	}
	var ok struct {
		Launch int64 `json:"launch"`
		Item   struct {
			Number int    `json:"number"`
			Text   string `json:"text"`
			Done   bool   `json:"done"`
		} `json:"item"`
		Readiness float64 `json:"readiness"`
		Decision  string  `json:"decision"`
	}
	if err := json.Unmarshal(answer, &ok); err != nil {
		fmt.Fprintf(stderr, "golive report: the answer is not the API's: %v\n", err)
		return 1
	}
	state := "open"
	if ok.Item.Done {
		state = "done"
	}
	fmt.Fprintf(stdout, "launch %d item %d (%s) is %s; readiness %.1f%%, decision %s\n",
		ok.Launch, ok.Item.Number, ok.Item.Text, state, ok.Readiness, ok.Decision)
	return 0
}

// reportEndpoint is the evidence URL of item n of launch ref on base.
func reportEndpoint(base, ref string, n int) (string, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url %q is not an http:// or https:// address", base)
	}
	return u.String() + "/api/v1/launches/" + url.PathEscape(ref) + "/items/" + strconv.Itoa(n) + "/evidence", nil
}

// apiError says what the API answered: its error's message and code, or
// the HTTP status when the answer is not the API's (a proxy's page).
func apiError(resp *http.Response, body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
		return fmt.Sprintf("%s answered %s", resp.Request.URL.Redacted(), resp.Status)
	}
	msg := fmt.Sprintf("%s (%s, HTTP %d)", e.Error.Message, e.Error.Code, resp.StatusCode)
	if after := resp.Header.Get("Retry-After"); after != "" {
		msg += "; retry after " + after + " s"
	}
	return msg
}
