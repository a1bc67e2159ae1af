package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireBrowser is set by .ci/run: there, a missing browser fails the
// browser tests instead of skipping them, so CI cannot pass by skipping.
const requireBrowser = "GOLIVE_REQUIRE_BROWSER"

// browserPath finds Chromium: CHROME_PATH, or chromium (Debian's package)
// or google-chrome on the PATH.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "the console's browser test needs Chromium: install Debian's chromium package (apt-get install chromium) or set CHROME_PATH"
	if os.Getenv(requireBrowser) != "" {
		t.Fatal(msg + " (" + requireBrowser + " is set, so it may not be skipped)")
	}
	t.Skip(msg)
	return ""
}

// screenshotDir is where the walk-through's screenshots go:
// GOLIVE_SCREENSHOTS, or a folder in the system's temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("GOLIVE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "golive-console-screenshots")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// browser drives headless Chromium on the console.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The browser starts on ctx itself: started on a context with a
	// timeout, it would close when that ends.
	require.NoError(t, chromedp.Do(ctx), "start Chromium at %s", path)
	return &browser{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
}

// do runs actions, each step bounded so that a stuck page fails the test.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, eval[string](b, `document.body.innerText`))
	}
}

// eval runs JavaScript and returns its value.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(b.t, err, js)
	return v
}

// waitJS waits until a JavaScript condition holds on the page.
func (b *browser) waitJS(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		text := eval[string](b, `document.body.innerText`)
		b.t.Fatalf("%s: %v\nthe page shows:\n%s", what, err, text)
	}
}

// waitText waits until the conversation (or Home) shows text.
func (b *browser) waitText(text string) {
	b.t.Helper()
	b.waitJS("waiting for "+strconv.Quote(text), `document.getElementById("conversation").innerText.includes(`+strconv.Quote(text)+`)`)
}

// version is the console's change count the page was drawn at.
func (b *browser) version() string { return eval[string](b, `document.body.dataset.v`) }

// waitRedrawn waits until the page was redrawn after version v.
func (b *browser) waitRedrawn(v string) {
	b.t.Helper()
	b.waitJS("waiting for the page to redraw", `document.body.dataset.v !== `+strconv.Quote(v))
}

// mark flags the element a JavaScript expression finds, for a real mouse
// click on it (a data attribute: the page's script knows some elements
// by their id).
func (b *browser) mark(find string) chromedp.CSS {
	b.t.Helper()
	found := eval[bool](b, `(() => { const el = `+find+`; if (!el) return false; document.querySelectorAll("[data-e2e]").forEach(e => e.removeAttribute("data-e2e")); el.dataset.e2e = "1"; return true })()`)
	require.True(b.t, found, "nothing matches %s", find)
	return chromedp.CSS(`[data-e2e="1"]`)
}

// clickOn clicks, with the mouse, the element a JavaScript expression
// finds. The page redraws what changed while golive works: a node
// replaced between finding and clicking it is found again.
func (b *browser) clickOn(what, find string) {
	b.t.Helper()
	var err error
	for range 5 {
		sel := b.mark(find)
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		err = chromedp.Do(ctx, chromedp.Click(sel))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Could not find node") {
			break
		}
	}
	require.NoError(b.t, err, what)
}

// clickButton clicks the last button reading label.
func (b *browser) clickButton(label string) {
	b.t.Helper()
	b.clickOn("click "+label, `[...document.querySelectorAll("button")].filter(x => x.innerText.trim() === `+strconv.Quote(label)+`).pop()`)
}

// checklistBox clicks item n's box in the latest Infrastructure checklist
// and waits for golive's redraw of it, checked or not.
func (b *browser) clickBox(n int, checked bool) {
	b.t.Helper()
	v := b.version()
	box := `[...document.querySelectorAll(".msg")].filter(m => m.innerText.includes("Checklist: Infrastructure")).pop().querySelector('input[value="` + strconv.Itoa(n) + `"]')`
	b.clickOn(fmt.Sprintf("click box %d", n), box)
	b.waitRedrawn(v)
	b.waitJS(fmt.Sprintf("box %d drawn checked=%v", n, checked), box+`.checked === `+strconv.FormatBool(checked))
}

// as switches the person the page acts as, with the switcher.
func (b *browser) as(user string) {
	b.t.Helper()
	// The change event navigates: it is sent once this script returned.
	eval[bool](b, `(() => { const s = document.getElementById("as"); s.value = `+strconv.Quote(user)+`; setTimeout(() => s.dispatchEvent(new Event("change", {bubbles: true}))); return true })()`)
	b.do("switch to "+user, chromedp.WaitVisible(chromedp.CSS(`body[data-as="`+user+`"] #conversation`)))
}

// say types a message in the message box and sends it.
func (b *browser) say(text string) {
	b.t.Helper()
	v := b.version()
	b.do("type "+text, chromedp.SendKeys(chromedp.ID("message"), text+"\r"))
	b.waitRedrawn(v)
}

// shot saves a screenshot of the whole page.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644))
}

// TestConsoleWalkThroughInABrowser is the console's walk-through, clicked
// in headless Chromium: a demo launch, three boxes ticked and one unticked,
// a stranger's tick refused, roles assigned, every holder's approval DM
// answered (one with conditions), the clock jumped to the 3-day window's
// reminder, the announcement, and the creator's App Home.
func TestConsoleWalkThroughInABrowser(t *testing.T) {
	s := startConsoleServer(t)
	b := newBrowser(t, s.base)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("golive's logs:\n%s", s.logs)
		}
	})

	b.do("open the console", chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(chromedp.ID("demo")))
	b.shot("01-empty")
	b.clickOn("start a demo launch", `document.getElementById("demo")`)
	b.waitText("You ticked items 1, 2, 3 and 4.")

	b.say("/golive checklist Infrastructure")
	b.waitText("Checklist: Infrastructure")
	b.clickBox(5, true)
	b.clickBox(6, true)
	b.clickBox(7, true)
	b.clickBox(7, false)
	b.shot("02-checklist")

	b.as("UROBIN")
	b.clickBox(6, true) // Robin's untick is refused: the box stays ticked
	b.waitText("Item 6 is owned by")
	b.shot("03-refused")

	b.as("UALEX")
	for _, r := range []struct{ role, who string }{
		{"Engineering Lead", "priya"}, {"Product Manager", "jordan"}, {"Security Lead", "dana"}, {"Operations Lead", "kai"},
	} {
		b.say(fmt.Sprintf("/golive role %q @%s", r.role, r.who))
		// A redraw may be an earlier command's: wait for this one's answer,
		// so that every role is held before approvals are asked for.
		b.waitText("in the role " + r.role)
	}
	b.say("/golive approvals")

	for _, holder := range []string{"UPRIYA", "UJORDAN", "UDANA", "UKAI"} {
		b.as(holder)
		b.clickOn("open the DM", `document.getElementById("nav-dm")`)
		b.do("the DM", chromedp.WaitVisible(chromedp.CSS(`#nav-dm.current`)))
		b.waitText("Approve with conditions")
		if holder == "UJORDAN" {
			b.shot("04-approval-dm")
			b.clickButton("Approve with conditions")
			b.do("the conditions form", chromedp.WaitVisible(chromedp.CSS(".modal textarea")))
			b.do("write the conditions", chromedp.SendKeys(chromedp.CSS(".modal textarea"), "Feature flag off for 10% of users until the load test passes"))
			b.shot("05-conditions-modal")
			b.clickOn("submit", `document.querySelector(".modal button[type=submit]")`)
			b.do("the form closes", chromedp.WaitNotPresent(chromedp.CSS(".modal")))
		} else {
			b.clickButton("Approve")
		}
		b.waitJS("the answer recorded", `document.getElementById("conversation").innerText.match(/you approved|You approved|approved/i) !== null`)
	}

	b.as("UALEX")
	b.clickOn("back to the channel", `document.querySelector('#sidebar a[href^="/c/C01WEB"]')`)
	b.do("the channel", chromedp.WaitVisible(chromedp.CSS(`#sidebar a.current[href^="/c/C01WEB"]`)))
	b.waitText("NO-GO: Website relaunch")
	b.shot("06-announcement")

	for i := 0; ; i++ {
		require.Less(t, i, 20, "the 3-day window's reminder never came")
		// The window's own post, headed by its name (countdowns only name
		// it as the next one).
		if eval[bool](b, `[...document.querySelectorAll("#conversation .bk-header")].some(h => h.innerText.trim().endsWith("3 Days Before Launch"))`) {
			break
		}
		v := b.version()
		b.clickOn("jump the clock", `document.getElementById("jump")`)
		b.waitRedrawn(v)
		// The reminders due at the new time are posted, and the clock
		// shows the next one.
		b.waitJS("the reminders due are posted", `!document.getElementById("clock").innerText.includes("due now")`)
	}
	b.shot("07-three-day-window")

	// Alex's App Home: golive draws it when the tab is opened.
	b.clickOn("open the App Home", `document.getElementById("nav-home")`)
	b.do("the App Home", chromedp.WaitVisible(chromedp.CSS(`#nav-home.current`)))
	b.waitText("Website relaunch")
	b.shot("08-home")

	logs := s.logs.String()
	assert.NotContains(t, logs, "Slack would refuse", "every message golive sent passed Block Kit's limits")
	assert.NotContains(t, logs, `"level":"ERROR"`)
	t.Logf("screenshots in %s", b.dir)
	entries, err := os.ReadDir(b.dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Subset(t, names, []string{"02-checklist.png", "07-three-day-window.png"}, strings.Join(names, " "))
}
