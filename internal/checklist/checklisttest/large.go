// Package checklisttest writes checklists for tests and benchmarks in other
// packages: a large one shaped like a real team's, to hold golive to "a 1 MB
// checklist imports in under a second and its messages stay inside Slack's
// limits".
package checklisttest

import (
	"fmt"
	"strings"
)

// Large writes a checklist of at most size bytes (and within 64 KB of it)
// shaped like a big organisation's production-readiness document: numbered
// sections with emoji and sign-off lines; groups, some of them P0/P1/P2
// tiers; items with owners, links, details and nested children, some done;
// a table of checks; a pre-launch section of time windows and post-launch
// windows; Go/No-Go criteria naming sections (100% and > 90% gates) and
// a readiness minimum; eight approver roles. The same size gives the same
// document.
func Large(size int) []byte {
	var tail strings.Builder
	var b strings.Builder
	b.WriteString("# Production Readiness Checklist: Payments Platform\n\n" +
		"Complete this checklist before launching to production. Each section must be verified and signed off.\n\n---\n")

	// Each section is about 24 KB; the windows, criteria and approvers
	// close the document, so they are written last but sized first.
	var titles []string
	n, item := 0, 0
	for {
		title := areas[n%len(areas)]
		if n >= len(areas) {
			title = fmt.Sprintf("%s (%s)", title, regions[(n/len(areas)-1)%len(regions)])
		}
		var s strings.Builder
		item = section(&s, n+1, title, item)
		closing := closingPart(titles)
		if b.Len()+s.Len()+closing > size {
			break
		}
		b.WriteString(s.String())
		titles = append(titles, title)
		n++
	}
	windows(&tail, len(titles)+1)
	criteria(&tail, titles)
	b.WriteString(tail.String())
	return []byte(b.String())
}

// closingPart is the size of what follows the sections.
func closingPart(titles []string) int {
	var t strings.Builder
	windows(&t, len(titles)+2)
	criteria(&t, append(titles, "a section title of some length"))
	return t.Len()
}

var areas = []string{"Infrastructure", "Security", "Data & Privacy", "Observability", "Performance", "Reliability",
	"Payments Core", "Ledger", "Fraud Detection", "Customer Support", "Documentation", "Compliance", "Mobile Apps",
	"Web Frontend", "Public API", "Partner Integrations", "Billing", "Notifications", "Search", "Analytics"}

var regions = []string{"EU", "US", "APAC", "LATAM", "Canada", "UK"}

var emoji = []string{"🔒", "✅", "📊", "🚨", "⚡", "🛠️", "💳", "📚"}

var groups = []string{"Architecture Review", "Configuration", "Access Control", "Secrets Management", "Health Checks",
	"Alerting", "Dashboards", "Capacity Planning", "Backups", "Failover", "Rollout Plan", "Rollback Plan",
	"Testing", "Runbooks", "Dependencies", "Vendor Review"}

var tiers = []string{"Must Have (P0)", "Should Have (P1)", "Nice to Have (P2)"}

var verbs = []string{"Verify", "Document", "Configure", "Review", "Test", "Automate", "Monitor", "Load-test", "Audit", "Sign"}

var objects = []string{"the connection pool limits", "TLS certificates and their renewal", "the on-call rotation and escalation policy",
	"rate limiting on every public endpoint", "structured logs with request ids", "the database migration rollback",
	"p95 latency under 300 ms at twice the peak load", "alert thresholds for error rate and saturation",
	"encryption at rest for customer data", "the feature flag kill switch", "retries with jitter and idempotency keys",
	"the disaster recovery restore from last night's backup", "PII redaction in logs and traces", "SLOs and their error budgets"}

var teams = []string{"Platform", "SRE", "Security", "Payments", "QA", "Data", "Support", "Mobile"}

// section writes one numbered section of about 24 KB and returns the last
// item number used.
func section(b *strings.Builder, n int, title string, item int) int {
	fmt.Fprintf(b, "\n## %d. %s %s\n\n", n, title, emoji[n%len(emoji)])
	for g := range 12 {
		heading := groups[(n+g)%len(groups)]
		if g < len(tiers) && n%4 == 0 {
			heading = tiers[g]
		}
		fmt.Fprintf(b, "### %s\n", heading)
		if g == 11 {
			// Some teams keep checks in a table.
			b.WriteString("\n| Done | Check | Owner |\n|------|-------|-------|\n")
			for r := range 4 {
				item++
				box := "☐"
				if item%3 == 0 {
					box = "☑"
				}
				fmt.Fprintf(b, "| %s | %s %s for %s | %s |\n", box, verbs[(item+r)%len(verbs)], objects[item%len(objects)], title, teams[item%len(teams)])
			}
			b.WriteString("\n")
			continue
		}
		for i := range 12 {
			item++
			box := "[ ]"
			if item%3 != 0 {
				box = "[x]"
			}
			fmt.Fprintf(b, "- %s %s %s for %s (OPS-%d)\n", box, verbs[item%len(verbs)], objects[(item+g)%len(objects)], title, 1000+item)
			switch {
			case i%4 == 0:
				fmt.Fprintf(b, "  - Owner: [%s]\n  - Evidence: [dashboard](https://grafana.example.com/d/%d)\n", teams[item%len(teams)], item)
			case i%6 == 5:
				item++
				fmt.Fprintf(b, "  - [ ] Confirm the result with the %s team lead\n", teams[item%len(teams)])
			case i%5 == 3:
				b.WriteString("  Keep the output in the release ticket; note any exception and who approved it.\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("**Sign-off:** _______________  Date: __________\n\n---\n")
	return item
}

// windows writes the pre-launch section of time windows and the
// post-launch monitoring, as section n.
func windows(b *strings.Builder, n int) {
	fmt.Fprintf(b, "\n## %d. Pre-Launch Tasks ⏰\n\n", n)
	for _, w := range []string{"2 Weeks Before Launch", "1 Week Before Launch", "3 Days Before Launch", "1 Day Before Launch", "T-4 Hours", "Launch Day"} {
		fmt.Fprintf(b, "### %s\n", w)
		for i := range 10 {
			fmt.Fprintf(b, "- [ ] %s %s (%s)\n", verbs[i%len(verbs)], objects[(i*3)%len(objects)], w)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Post-Launch Monitoring\n\n")
	for _, w := range []string{"First 24 Hours", "First Week", "First Month"} {
		fmt.Fprintf(b, "### %s\n", w)
		for i := range 8 {
			fmt.Fprintf(b, "- [ ] %s %s\n", verbs[(i+2)%len(verbs)], objects[(i*5)%len(objects)])
		}
		b.WriteString("\n")
	}
}

// criteria writes the Go/No-Go section: every fifth section must be done,
// the others over 90%, and eight approvers.
func criteria(b *strings.Builder, titles []string) {
	b.WriteString("## Launch Readiness Assessment\n\n**Minimum recommended**: 85% for production launch\n\n" +
		"### Go/No-Go Decision Criteria\n\n**Required for GO (must be 100%):**\n")
	for i, t := range titles {
		if i%5 == 1 {
			fmt.Fprintf(b, "- [ ] %s (Section %d)\n", t, i+1)
		}
	}
	b.WriteString("\n**Critical for GO (should be > 90%):**\n")
	for i, t := range titles {
		if i%5 != 1 {
			fmt.Fprintf(b, "- [ ] %s (Section %d)\n", t, i+1)
		}
	}
	b.WriteString("\n### Launch Decision\n\n**Decision:** [ ] GO  [ ] NO-GO\n\n**Approved by:**\n")
	for _, r := range []string{"Engineering Lead", "Product Manager", "Security Lead", "Operations Lead",
		"Compliance Officer", "Head of Payments", "QA Lead", "Customer Support Lead"} {
		fmt.Fprintf(b, "- %s: _______________\n", r)
	}
	b.WriteString("\n**Next Review Date:** __________\n")
}
