package api

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/golive/golive/internal/launch"
)

// described reads api/openapi.yaml: for each "METHOD /path" under the
// server's /api/v1, the statuses it documents.
func described(t *testing.T) map[string][]int {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		OpenAPI string `yaml:"openapi"`
		Servers []struct {
			URL string `yaml:"url"`
		} `yaml:"servers"`
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), "an OpenAPI 3 document")
	require.Len(t, doc.Servers, 1)
	require.Equal(t, strings.TrimSuffix(Prefix, "/"), doc.Servers[0].URL)
	out := map[string][]int{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			var o struct {
				Responses map[string]any `yaml:"responses"`
			}
			require.NoError(t, op.Decode(&o))
			var statuses []int
			for code := range o.Responses {
				n, err := strconv.Atoi(code)
				require.NoError(t, err, "%s %s: status %q", method, path, code)
				statuses = append(statuses, n)
			}
			slices.Sort(statuses)
			out[strings.ToUpper(method)+" "+doc.Servers[0].URL+path] = statuses
		}
	}
	return out
}

// servedStatuses is what the router serves: each route with the statuses
// its code says it answers.
func servedStatuses(a *API) map[string][]int {
	out := map[string][]int{}
	for _, r := range a.routes() {
		statuses := slices.Concat(r.Statuses, served)
		slices.Sort(statuses)
		out[r.Method+" "+r.Pattern] = slices.Compact(statuses)
	}
	return out
}

func TestOpenAPIDescribesEveryRouteAndStatus(t *testing.T) {
	f := newFixture(t)
	a, err := New(Config{Tokens: f.store, Launches: f.store, Recorder: storeRecorder{f.store}})
	require.NoError(t, err)
	assert.Equal(t, servedStatuses(a), described(t), "api/openapi.yaml and the routes must agree")
}

// failingLaunches fails every read, as a broken database would.
type failingLaunches struct{}

func (failingLaunches) LaunchByID(context.Context, int64) (*launch.Launch, error) {
	return nil, errors.New("disk I/O error")
}

// failingRecorder fails every report with err.
type failingRecorder struct{ err error }

func (r failingRecorder) RecordEvidence(context.Context, launch.Token, int, launch.Report) (*launch.Launch, error) {
	return nil, r.err
}

// TestHandlersAnswerWhatTheyDescribe drives every route into every status
// api/openapi.yaml gives it, over HTTP, and checks that each was answered:
// the description and the handlers cannot drift apart unnoticed.
func TestHandlersAnswerWhatTheyDescribe(t *testing.T) {
	want := described(t)
	seen := map[string][]int{}
	note := func(key string, status int) {
		if !slices.Contains(seen[key], status) {
			seen[key] = append(seen[key], status)
		}
	}
	getKey := "GET " + Prefix + "launches/{launch}"
	postKey := "POST " + Prefix + "launches/{launch}/items/{n}/evidence"
	pass := `{"status":"pass","summary":"ok"}`

	f := newFixture(t, func(c *Config) { c.MaxBody = 256; c.Rate, c.Burst = 1, 6 })
	id := strconv.FormatInt(f.launch.ID, 10)
	n := strconv.Itoa(f.launch.Checklist.Items()[0].Number)
	get := func(secret, ref string) {
		note(getKey, f.call(http.MethodGet, Prefix+"launches/"+ref, secret, nil).status)
	}
	post := func(secret, ref, item, body string) {
		note(postKey, f.call(http.MethodPost, Prefix+"launches/"+ref+"/items/"+item+"/evidence", secret, []byte(body)).status)
	}
	other := f.token(f.other, "other")
	get(f.secret, id)
	get("", id)
	get(other, id)
	note(getKey, f.call(http.MethodPut, Prefix+"launches/"+id, f.secret, nil).status)
	post(other, id, n, pass)
	post("", id, n, pass)
	post(f.secret, id, n, pass)
	post(f.secret, id, n, `{"status":"maybe","summary":"ok"}`)
	post(f.secret, id, "9999", pass)
	post(f.secret, id, n, `{"status":"pass","summary":"`+strings.Repeat("x", 300)+`"}`)
	note(postKey, f.call(http.MethodGet, Prefix+"launches/"+id+"/items/"+n+"/evidence", other, nil).status)
	for range 5 {
		post(other, id, n, pass)
		get(other, id)
	}

	// A launch that cannot be read, a report that cannot be stored or
	// confirmed, a token whose launch is gone.
	broken := newFixture(t, func(c *Config) { c.Launches = failingLaunches{} })
	note(getKey, broken.call(http.MethodGet, Prefix+"launches/1", broken.secret, nil).status)
	failing := newFixture(t, func(c *Config) { c.Recorder = failingRecorder{errors.New("disk I/O error")} })
	note(postKey, failing.evidence(strconv.FormatInt(failing.launch.ID, 10), 1, failing.secret, pass).status)
	slow := newFixture(t, func(c *Config) { c.Recorder = failingRecorder{context.DeadlineExceeded} })
	note(postKey, slow.evidence(strconv.FormatInt(slow.launch.ID, 10), 1, slow.secret, pass).status)
	archived := newFixture(t, func(c *Config) {
		c.Recorder = failingRecorder{launch.Errorf(launch.ECONFLICT, "The launch is archived.")}
	})
	note(postKey, archived.evidence(strconv.FormatInt(archived.launch.ID, 10), 1, archived.secret, pass).status)
	gone := newFixture(t, func(c *Config) { c.Launches = missingLaunches{} })
	note(getKey, gone.call(http.MethodGet, Prefix+"launches/1", gone.secret, nil).status)

	for key := range seen {
		slices.Sort(seen[key])
	}
	assert.Equal(t, want, seen, "each described status is answered, and each answered one described")
}

// missingLaunches finds no launch: the token outlived it.
type missingLaunches struct{}

func (missingLaunches) LaunchByID(_ context.Context, id int64) (*launch.Launch, error) {
	return nil, launch.Errorf(launch.ENOTFOUND, "Launch %d does not exist.", id)
}
