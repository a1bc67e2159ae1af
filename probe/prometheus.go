package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/golive/golive/internal/checklist"
)

// queryAnswer is the part of a Prometheus instant query's answer read:
// https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
type queryAnswer struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// runPrometheus runs the instant query and compares its value (a scalar,
// or the first sample of a vector) with the threshold.
func (r *Runner) runPrometheus(ctx context.Context, p *checklist.Probe) Result {
	u := p.Target + "/api/v1/query?" + url.Values{"query": {p.Query}}.Encode()
	resp, body, err := r.get(ctx, u)
	if err != nil {
		return fail("no answer from Prometheus: %s", httpError(err))
	}
	var a queryAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fail("Prometheus answered HTTP %d, not a query result", resp.StatusCode)
	}
	if a.Status != "success" {
		return fail("the query failed: %s", a.Error)
	}
	v, ok, err := firstValue(a)
	if err != nil {
		return fail("the query's result cannot be read: %v", err)
	}
	if !ok {
		return fail("the query returned no data")
	}
	shown := strconv.FormatFloat(v, 'g', 6, 64)
	res := Result{Value: shown}
	want := fmt.Sprintf("%s %s", p.Op, strconv.FormatFloat(p.Threshold, 'g', -1, 64))
	if !compare(v, p.Op, p.Threshold) {
		res.Summary = fmt.Sprintf("%s, not %s", shown, want)
		return res
	}
	res.Pass = true
	res.Summary = fmt.Sprintf("%s (%s)", shown, want)
	return res
}

// firstValue reads the query's value: a scalar's, or the first sample's
// of a vector; ok is false when the vector is empty.
func firstValue(a queryAnswer) (float64, bool, error) {
	var sample []any
	switch a.Data.ResultType {
	case "scalar":
		if err := json.Unmarshal(a.Data.Result, &sample); err != nil {
			return 0, false, err
		}
	case "vector":
		var vec []struct {
			Value []any `json:"value"`
		}
		if err := json.Unmarshal(a.Data.Result, &vec); err != nil {
			return 0, false, err
		}
		if len(vec) == 0 {
			return 0, false, nil
		}
		sample = vec[0].Value
	default:
		return 0, false, fmt.Errorf("a %q result, not a scalar or an instant vector", a.Data.ResultType)
	}
	if len(sample) != 2 {
		return 0, false, fmt.Errorf("a sample of %d parts", len(sample))
	}
	s, ok := sample[1].(string)
	if !ok {
		return 0, false, fmt.Errorf("a sample value that is not a string")
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil, err
}

func compare(v float64, op string, t float64) bool {
	switch op {
	case "<":
		return v < t
	case "<=":
		return v <= t
	case ">":
		return v > t
	case ">=":
		return v >= t
	case "==":
		return v == t
	case "!=":
		return v != t
	}
	return false
}
