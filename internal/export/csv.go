package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// csvHeader names the CSV columns.
var csvHeader = []string{"number", "section", "group", "subgroup", "priority", "parent", "text", "done", "owner", "done_by", "done_at", "note", "details",
	"notes", "removed", "removed_by", "removed_at", "removed_reason",
	"due", "na", "na_by", "na_reason", "na_at", "na_confirmed", "na_confirmed_by",
	"waived_until", "waived_by", "waiver_reason",
	"evidence", "evidence_summary", "evidence_url", "evidence_at", "evidence_by", "evidence_value",
	"fresh", "verified_at", "stale", "probe"}

// CSV writes one row per item after a header row, RFC 4180 (encoding/csv),
// then one row per removed item, marked removed (they count nowhere). An
// item's notes are one cell, a line each: "text (by at)". Its due date is
// YYYY-MM-DD; an N/A mark is "true" in na with who, why, when and whether
// (and by whom) it was confirmed. A waiver is its last day (inclusive, in
// the launch's time zone), who gave it and why: past that day it no longer
// counts. Evidence is the last result a pipeline or a probe reported
// (pass or fail), its summary, link, when the check ran, by which token
// (or "probe") and the value it measured. Fresh is how recent the item's
// verification must be ("24h", "" for any age), verified_at when it was
// last verified, and stale whether that is too old at now. Probe is the
// check golive runs for the item, as `probe` takes it.
// Cells that a spreadsheet would run as a formula get a leading apostrophe.
func CSV(l *launch.Launch, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	for _, p := range places(l) {
		it := p.item
		parent := ""
		if it.Parent != 0 {
			parent = strconv.Itoa(it.Parent)
		}
		row := []string{
			strconv.Itoa(it.Number), p.section.Title, p.group.Title, it.Subgroup, it.Priority, parent,
			it.Text, strconv.FormatBool(it.Done), it.Owner, it.DoneBy, timestamp(it.DoneAt), it.Note, it.Details,
			notesCell(it.Notes), "false", "", "", "", it.Due,
		}
		if na := it.NA; na != nil {
			row = append(row, "true", na.By, na.Reason, timestamp(na.At), strconv.FormatBool(na.Confirmed), na.ConfirmedBy)
		} else {
			row = append(row, "false", "", "", "", "", "")
		}
		if w := it.Waiver; w != nil {
			row = append(row, w.Until, w.By, w.Reason)
		} else {
			row = append(row, "", "", "")
		}
		if e := it.Evidence; e != nil {
			row = append(row, e.Status(), e.Summary, e.URL, timestamp(e.At), e.By, e.Value)
		} else {
			row = append(row, "", "", "", "", "", "")
		}
		verified := ""
		if it.Done {
			verified = timestamp(it.VerifiedAt())
		}
		probe := ""
		if it.Probe != nil {
			probe = it.Probe.String()
		}
		row = append(row, freshJSON(it), verified, strconv.FormatBool(it.StaleAt(now)), probe)
		if err := writeRow(w, row); err != nil {
			return nil, fmt.Errorf("csv item %d: %w", it.Number, err)
		}
	}
	for _, r := range l.Removed {
		row := []string{
			strconv.Itoa(r.Number), r.Section, "", "", "", "",
			r.Text, strconv.FormatBool(r.Done), "", "", "", "", "",
			"", "true", r.By, timestamp(r.At), r.Reason,
			"", "", "", "", "", "", "",
			"", "", "",
			"", "", "", "", "", "",
			"", "", "", "",
		}
		if err := writeRow(w, row); err != nil {
			return nil, fmt.Errorf("csv removed item %d: %w", r.Number, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return buf.Bytes(), nil
}

// defuse keeps spreadsheet programs from running a cell as a formula
// (OWASP "CSV injection"): text starting with = + - @ tab or CR is prefixed
// with an apostrophe.
func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func writeRow(w *csv.Writer, row []string) error {
	for i := range row {
		row[i] = defuse(row[i])
	}
	return w.Write(row)
}

func notesCell(notes []checklist.Note) string {
	lines := make([]string, len(notes))
	for i, n := range notes {
		lines[i] = fmt.Sprintf("%s (%s %s)", n.Text, n.By, timestamp(n.At))
	}
	return strings.Join(lines, "\n")
}
