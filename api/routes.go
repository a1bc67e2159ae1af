package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/export"
	"github.com/golive/golive/internal/launch"
)

// route is one endpoint: its method, its ServeMux pattern (the path as
// api/openapi.yaml writes it, under Prefix), and the statuses it answers,
// which a test holds against the OpenAPI description.
type route struct {
	Name     string // for the metrics
	Method   string
	Pattern  string
	Statuses []int
	handle   func(ctx context.Context, w http.ResponseWriter, r *http.Request, t launch.Token)
}

// served are the statuses every route may answer besides its own: a
// wrong method, a missing or wrong token, too many calls, our failures.
var served = []int{http.StatusMethodNotAllowed, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError}

func (a *API) routes() []route {
	return []route{
		{Name: "launch", Method: http.MethodGet, Pattern: Prefix + "launches/{launch}",
			Statuses: []int{http.StatusOK, http.StatusForbidden, http.StatusNotFound},
			handle:   a.getLaunch},
		{Name: "evidence", Method: http.MethodPost, Pattern: Prefix + "launches/{launch}/items/{n}/evidence",
			Statuses: []int{http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound,
				http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable},
			handle: a.postEvidence},
	}
}

// getLaunch answers the launch's export JSON, as `export json` has it.
func (a *API) getLaunch(ctx context.Context, w http.ResponseWriter, r *http.Request, t launch.Token) {
	l, ok := a.tokenLaunch(ctx, w, r, t)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, export.Build(l, a.cfg.Now()))
}

// evidenceRequest is the body of POST .../evidence.
type evidenceRequest struct {
	Status  string `json:"status"`
	Summary string `json:"summary"`
	URL     string `json:"url"`
	At      string `json:"at"`
}

// evidenceResponse is what a stored report answers: the item as the export
// has it, and the launch's readiness and decision after the change.
type evidenceResponse struct {
	Launch    int64       `json:"launch"`
	Item      export.Item `json:"item"`
	Readiness float64     `json:"readiness"`
	Decision  string      `json:"decision"`
}

// postEvidence records a check's result on item n: a pass ticks it, a fail
// unticks it.
func (a *API) postEvidence(ctx context.Context, w http.ResponseWriter, r *http.Request, t launch.Token) {
	l, ok := a.tokenLaunch(ctx, w, r, t)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		writeError(w, http.StatusBadRequest, codeInvalid, fmt.Sprintf("%q is not an item number: items are numbered from 1, as `/golive checklist` shows them.", clip(r.PathValue("n"))))
		return
	}
	report, err := a.readReport(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("The body is over %d bytes; send the summary and a link to the run, not the run's log.", a.cfg.MaxBody))
			return
		}
		writeError(w, http.StatusBadRequest, codeInvalid, err.Error())
		return
	}
	if l.Archived {
		writeError(w, http.StatusConflict, codeConflict, fmt.Sprintf("The launch %d is archived; it takes no more evidence.", l.ID))
		return
	}
	l, err = a.cfg.Recorder.RecordEvidence(ctx, t, n, report)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		a.cfg.Logger.Warn("evidence not confirmed in time", "token", t.Name, "item", n, "err", err)
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "The evidence could not be confirmed stored in time; sending it again is safe.")
		return
	case launch.ErrorCode(err) == launch.EINTERNAL:
		a.cfg.Logger.Error("record evidence", "token", t.Name, "item", n, "err", err)
		domainError(w, err)
		return
	case err != nil:
		domainError(w, err)
		return
	}
	full := export.Build(l, a.cfg.Now())
	resp := evidenceResponse{Launch: l.ID, Readiness: full.Readiness, Decision: string(full.Decision)}
	for _, it := range full.Items {
		if it.Number == n {
			resp.Item = it
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// readReport reads and checks the body of a report; the domain checks the
// texts.
func (a *API) readReport(w http.ResponseWriter, r *http.Request) (launch.Report, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	dec.DisallowUnknownFields()
	var in evidenceRequest
	if err := dec.Decode(&in); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return launch.Report{}, err
		}
		return launch.Report{}, fmt.Errorf(`The body is not the JSON expected, {"status": "pass"|"fail", "summary": "...", "url": "...", "at": "RFC 3339 time"}: %s`, clip(err.Error()))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return launch.Report{}, err
		}
		return launch.Report{}, errors.New("The body holds more than one JSON object; send one report per call.")
	}
	rep := launch.Report{Summary: in.Summary, URL: in.URL}
	switch in.Status {
	case "pass":
		rep.Pass = true
	case "fail":
	default:
		return launch.Report{}, fmt.Errorf(`"status" is %q; it must be "pass" (ticks the item) or "fail" (unticks it).`, clip(in.Status))
	}
	if in.At != "" {
		at, err := time.Parse(time.RFC3339, in.At)
		if err != nil {
			return launch.Report{}, fmt.Errorf(`"at" is %q; write when the check ran in RFC 3339, for example 2026-12-01T08:00:00Z.`, clip(in.At))
		}
		rep.At = at
	}
	return rep, nil
}

// tokenLaunch returns the launch the path names, when it is the token's:
// by its id, or by the id of the channel it runs in. Another launch's is
// refused with 403, whether it exists or not.
func (a *API) tokenLaunch(ctx context.Context, w http.ResponseWriter, r *http.Request, t launch.Token) (*launch.Launch, bool) {
	ref := r.PathValue("launch")
	l, err := a.cfg.Launches.LaunchByID(ctx, t.LaunchID)
	if err != nil {
		if launch.ErrorCode(err) == launch.EINTERNAL {
			a.cfg.Logger.Error("load a token's launch", "launch", t.LaunchID, "err", err)
		}
		domainError(w, err)
		return nil, false
	}
	if ref != strconv.FormatInt(l.ID, 10) && ref != l.ChannelID {
		writeError(w, http.StatusForbidden, codeForbidden, fmt.Sprintf("This token is for launch %d (channel %s), not for %q.", l.ID, l.ChannelID, clip(ref)))
		return nil, false
	}
	return l, true
}

// clip keeps what a message quotes of the request short.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
