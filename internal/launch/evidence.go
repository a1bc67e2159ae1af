package launch

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/golive/golive/internal/checklist"
)

// Limits of reported evidence, in characters.
const (
	MaxEvidenceSummary = 300
	MaxEvidenceURL     = 2000
	// evidenceSkew is how far in the future a check may say it ran: the
	// reporter's clock may run a little ahead of ours, not more.
	evidenceSkew = 5 * time.Minute
)

// Report is a check's result as a pipeline reports it for one item.
type Report struct {
	Pass    bool
	Summary string
	URL     string
	// At is when the check ran; zero means now.
	At time.Time
}

// RecordEvidence records report as item n's evidence, by actor (an API
// token, "token:<name>"), and ticks the item on a pass or unticks it on a
// fail, as a tick or an untick by actor would: the actor's right to change
// the launch was checked by whoever gave it (the token is the launch's).
// An untick that voids a sign-off tells the channel (NoticeUntickVoided).
func (l *Launch) RecordEvidence(actor string, n int, r Report, now time.Time) ([]Event, error) {
	if l.Archived {
		return nil, Errorf(ECONFLICT, "The launch “%s” is archived; it takes no more evidence.", l.Name)
	}
	_, _, it := l.Checklist.Locate(n)
	if it == nil {
		return nil, l.noItem(n)
	}
	ev, err := checkReport(r, now)
	if err != nil {
		return nil, err
	}
	ev.By, ev.Received = actor, now
	it.Evidence = ev
	events := []Event{{Actor: actor, Kind: KindEvidence, Items: []int{n}, After: ev.Status() + ": " + ev.Summary}}
	events = append(events, l.markDone(actor, n, r.Pass, now)...)
	l.notifyVoided(actor, events)
	return events, nil
}

// checkReport validates a report and returns the evidence it makes.
func checkReport(r Report, now time.Time) (*checklist.Evidence, error) {
	summary := strings.TrimSpace(StripBidi(r.Summary))
	if summary == "" {
		return nil, Errorf(EINVALID, "Evidence needs a summary of what the check found, for example \"k6: p95 180 ms\".")
	}
	if err := CheckLength("evidence summary", summary, MaxEvidenceSummary); err != nil {
		return nil, err
	}
	if strings.ContainsFunc(summary, func(c rune) bool { return unicode.IsControl(c) }) {
		return nil, Errorf(EINVALID, "The evidence summary must be one line, without control characters.")
	}
	link := strings.TrimSpace(r.URL)
	if link != "" {
		if err := CheckLength("evidence URL", link, MaxEvidenceURL); err != nil {
			return nil, err
		}
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.ContainsFunc(link, func(c rune) bool { return unicode.IsControl(c) || unicode.IsSpace(c) }) {
			return nil, Errorf(EINVALID, "The evidence URL %q is not an http:// or https:// address.", link)
		}
		// Characters a link must percent-encode, and that would break out
		// of a link in Slack's mrkdwn or a Markdown export.
		if strings.ContainsAny(link, "<>|\"`") {
			return nil, Errorf(EINVALID, "The evidence URL %q has characters an address must percent-encode (< > | \" `).", link)
		}
	}
	at := r.At
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(evidenceSkew)) {
		return nil, Errorf(EINVALID, "The evidence says the check ran at %s, in the future (it is %s).",
			at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return &checklist.Evidence{Pass: r.Pass, Summary: summary, URL: link, At: at.UTC()}, nil
}

// EvidenceLine says an item's evidence in one line, for the audit and the
// exports: "pass: k6: p95 180 ms (token:ci, 2026-12-01T08:00:00Z)".
func EvidenceLine(e *checklist.Evidence) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("%s: %s (%s, %s)", e.Status(), e.Summary, e.By, e.At.UTC().Format(time.RFC3339))
}
