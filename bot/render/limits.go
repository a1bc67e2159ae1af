package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// CheckLimits checks blocks meant for a message against every Block Kit
// limit golive relies on (at most 50 blocks, section text 3000 characters,
// header 150, ten fields, ten context elements, 25 actions elements, ids of
// 255, button text 75, option text 75 and value under 75, ten checkboxes
// options, 100 select options...) and returns one line per breach, none when
// Slack would take them. Tests of every package that renders use it.
func CheckLimits(blocks []slack.Block) []string {
	return checkBlocks(blocks, maxMessageBlocks)
}

// CheckMessage is CheckLimits plus the message's own rules: a fallback text
// that says something, under 4000 characters.
func CheckMessage(m Message) []string {
	var errs []string
	if strings.TrimSpace(m.Text) == "" {
		errs = append(errs, "message: empty text fallback")
	}
	if n := utf8.RuneCountInString(m.Text); n > maxMessageText {
		errs = append(errs, fmt.Sprintf("message: text of %d characters, over %d", n, maxMessageText))
	}
	return append(errs, CheckLimits(m.Blocks)...)
}

// CheckModal checks a modal: 100 blocks, title, submit and close within 24
// characters, private_metadata within 3000, callback_id within 255, and
// the whole view within 250 kB.
func CheckModal(v slack.ModalViewRequest) []string {
	errs := checkViewSize("modal", v)
	if v.Type != slack.VTModal {
		errs = append(errs, fmt.Sprintf("modal: type %q", v.Type))
	}
	if v.Title == nil {
		errs = append(errs, "modal: no title")
	}
	for name, t := range map[string]*slack.TextBlockObject{"title": v.Title, "submit": v.Submit, "close": v.Close} {
		if t != nil {
			errs = append(errs, checkText("modal "+name, t, maxModalText, true)...)
		}
	}
	errs = append(errs, checkLen("modal private_metadata", v.PrivateMetadata, maxPrivateMeta)...)
	errs = append(errs, checkLen("modal callback_id", v.CallbackID, maxIDLen)...)
	return append(errs, checkBlocks(v.Blocks.BlockSet, maxViewBlocks)...)
}

// CheckHome checks a Home tab view: 100 blocks, the per-block limits, and
// the whole view within 250 kB.
func CheckHome(v slack.HomeTabViewRequest) []string {
	errs := checkViewSize("home", v)
	if v.Type != slack.VTHomeTab {
		errs = append(errs, fmt.Sprintf("home: type %q", v.Type))
	}
	errs = append(errs, checkLen("home private_metadata", v.PrivateMetadata, maxPrivateMeta)...)
	return append(errs, checkBlocks(v.Blocks.BlockSet, maxViewBlocks)...)
}

// checkViewSize refuses a view Slack would answer view_too_large: its
// JSON over 250 kB, however many blocks it has.
func checkViewSize(what string, v any) []string {
	js, err := json.Marshal(v)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", what, err)}
	}
	if len(js) > maxViewBytes {
		return []string{fmt.Sprintf("%s: %d bytes of JSON, over %d", what, len(js), maxViewBytes)}
	}
	return nil
}

// limitChecker collects breaches and the ids seen, which Slack wants unique.
type limitChecker struct {
	errs     []string
	blockIDs map[string]bool
}

func checkBlocks(blocks []slack.Block, maxBlocks int) []string {
	c := &limitChecker{blockIDs: map[string]bool{}}
	if len(blocks) == 0 {
		c.add("no blocks")
	}
	if len(blocks) > maxBlocks {
		c.add("%d blocks, over %d", len(blocks), maxBlocks)
	}
	for i, b := range blocks {
		c.block(fmt.Sprintf("block %d", i), b)
	}
	return c.errs
}

func (c *limitChecker) add(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *limitChecker) extend(errs []string) { c.errs = append(c.errs, errs...) }

func (c *limitChecker) block(where string, b slack.Block) {
	if b == nil {
		c.add("%s: nil", where)
		return
	}
	if id := b.ID(); id != "" {
		c.extend(checkLen(where+" block_id", id, maxIDLen))
		if c.blockIDs[id] {
			c.add("%s: duplicate block_id %q", where, id)
		}
		c.blockIDs[id] = true
	}
	switch b := b.(type) {
	case *slack.HeaderBlock:
		c.extend(checkText(where+" header", b.Text, maxHeaderText, true))
	case *slack.SectionBlock:
		if b.Text == nil && len(b.Fields) == 0 {
			c.add("%s: section with neither text nor fields", where)
		}
		if b.Text != nil {
			c.extend(checkText(where+" section text", b.Text, maxSectionText, false))
		}
		if len(b.Fields) > maxFields {
			c.add("%s: %d fields, over %d", where, len(b.Fields), maxFields)
		}
		for i, f := range b.Fields {
			c.extend(checkText(fmt.Sprintf("%s field %d", where, i), f, maxFieldText, false))
		}
		if b.Accessory != nil {
			c.accessory(where+" accessory", b.Accessory)
		}
	case *slack.ContextBlock:
		els := b.ContextElements.Elements
		if len(els) == 0 || len(els) > maxContextElems {
			c.add("%s: context with %d elements, want 1 to %d", where, len(els), maxContextElems)
		}
		for i, e := range els {
			if t, ok := e.(*slack.TextBlockObject); ok {
				c.extend(checkText(fmt.Sprintf("%s context %d", where, i), t, maxSectionText, false))
			}
		}
	case *slack.ActionBlock:
		var els []slack.BlockElement
		if b.Elements != nil {
			els = b.Elements.ElementSet
		}
		if len(els) == 0 || len(els) > maxActionElems {
			c.add("%s: actions with %d elements, want 1 to %d", where, len(els), maxActionElems)
		}
		actionIDs := map[string]bool{}
		for i, e := range els {
			id := c.element(fmt.Sprintf("%s element %d", where, i), e)
			if id != "" && actionIDs[id] {
				c.add("%s: duplicate action_id %q", where, id)
			}
			actionIDs[id] = true
		}
	case *slack.InputBlock:
		c.extend(checkText(where+" input label", b.Label, maxFieldText, true))
		if b.Hint != nil {
			c.extend(checkText(where+" input hint", b.Hint, maxFieldText, true))
		}
		c.element(where+" input element", b.Element)
	case *slack.DividerBlock:
	default:
		c.add("%s: block type %q is not checked", where, b.BlockType())
	}
}

func (c *limitChecker) accessory(where string, a *slack.Accessory) {
	switch {
	case a.ButtonElement != nil:
		c.element(where, a.ButtonElement)
	case a.CheckboxGroupsBlockElement != nil:
		c.element(where, a.CheckboxGroupsBlockElement)
	case a.SelectElement != nil:
		c.element(where, a.SelectElement)
	case a.DatePickerElement != nil:
		c.element(where, a.DatePickerElement)
	case a.ImageElement != nil:
	default:
		c.add("%s: accessory type is not checked", where)
	}
}

// element checks one interactive element and returns its action_id.
func (c *limitChecker) element(where string, e slack.BlockElement) string {
	switch e := e.(type) {
	case *slack.ButtonBlockElement:
		c.extend(checkText(where+" button text", e.Text, maxButtonText, true))
		c.extend(checkLen(where+" button value", e.Value, maxButtonValue))
		c.extend(checkLen(where+" button url", e.URL, 3000))
		c.confirm(where, e.Confirm)
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.CheckboxGroupsBlockElement:
		if len(e.Options) == 0 || len(e.Options) > maxCheckboxOpts {
			c.add("%s: checkboxes with %d options, want 1 to %d", where, len(e.Options), maxCheckboxOpts)
		}
		c.options(where, e.Options, false)
		c.initial(where, e.Options, e.InitialOptions...)
		c.confirm(where, e.Confirm)
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.SelectBlockElement:
		if e.Type == slack.OptTypeStatic {
			if len(e.Options) == 0 || len(e.Options) > maxSelectOpts {
				c.add("%s: static_select with %d options, want 1 to %d", where, len(e.Options), maxSelectOpts)
			}
			c.options(where, e.Options, true)
			if e.InitialOption != nil {
				c.initial(where, e.Options, e.InitialOption)
			}
		}
		if e.Placeholder != nil {
			c.extend(checkText(where+" placeholder", e.Placeholder, 150, true))
		}
		c.confirm(where, e.Confirm)
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.DatePickerBlockElement:
		if e.Placeholder != nil {
			c.extend(checkText(where+" placeholder", e.Placeholder, 150, true))
		}
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.TimePickerBlockElement:
		if e.Placeholder != nil {
			c.extend(checkText(where+" placeholder", e.Placeholder, 150, true))
		}
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.FileInputBlockElement:
		// file_input takes 1 to 10 files.
		if e.MaxFiles < 0 || e.MaxFiles > 10 {
			c.add("%s: max_files %d, outside 1 to 10", where, e.MaxFiles)
		}
		c.actionID(where, e.ActionID)
		return e.ActionID
	case *slack.PlainTextInputBlockElement:
		if e.Placeholder != nil {
			c.extend(checkText(where+" placeholder", e.Placeholder, 150, true))
		}
		if e.MaxLength > maxInputLength || e.MaxLength < 0 {
			c.add("%s: max_length %d, over %d", where, e.MaxLength, maxInputLength)
		}
		c.extend(checkLen(where+" initial_value", e.InitialValue, maxInputLength))
		c.actionID(where, e.ActionID)
		return e.ActionID
	default:
		c.add("%s: element %T is not checked", where, e)
		return ""
	}
}

func (c *limitChecker) actionID(where, id string) {
	if id == "" {
		c.add("%s: no action_id", where)
	}
	c.extend(checkLen(where+" action_id", id, maxIDLen))
}

func (c *limitChecker) options(where string, opts []*slack.OptionBlockObject, plainOnly bool) {
	values := map[string]bool{}
	for i, o := range opts {
		at := fmt.Sprintf("%s option %d", where, i)
		if o == nil {
			c.add("%s: nil", at)
			continue
		}
		c.extend(checkText(at+" text", o.Text, maxOptionText, plainOnly))
		if o.Description != nil {
			c.extend(checkText(at+" description", o.Description, maxOptionDesc, plainOnly))
		}
		if o.Value == "" {
			c.add("%s: empty value", at)
		}
		c.extend(checkLen(at+" value", o.Value, maxOptionValue))
		if values[o.Value] {
			c.add("%s: duplicate value %q", at, o.Value)
		}
		values[o.Value] = true
	}
}

// initial checks that initial options are options of the element, exactly:
// Slack refuses an initial option that differs from every option.
func (c *limitChecker) initial(where string, opts []*slack.OptionBlockObject, initial ...*slack.OptionBlockObject) {
	for _, in := range initial {
		found := false
		for _, o := range opts {
			if sameOption(o, in) {
				found = true
				break
			}
		}
		if !found {
			c.add("%s: initial option %q is not one of its options", where, in.Value)
		}
	}
}

func sameOption(a, b *slack.OptionBlockObject) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Value == b.Value && sameText(a.Text, b.Text) && sameText(a.Description, b.Description)
}

func sameText(a, b *slack.TextBlockObject) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && a.Text == b.Text
}

func (c *limitChecker) confirm(where string, cf *slack.ConfirmationBlockObject) {
	if cf == nil {
		return
	}
	c.extend(checkText(where+" confirm title", cf.Title, 100, true))
	c.extend(checkText(where+" confirm text", cf.Text, 300, false))
	c.extend(checkText(where+" confirm button", cf.Confirm, 30, true))
	if cf.Deny != nil {
		c.extend(checkText(where+" deny button", cf.Deny, 30, true))
	}
}

// checkText checks a text object: present, not blank, of a known type,
// plain_text when required, within max characters.
func checkText(where string, t *slack.TextBlockObject, max int, plainOnly bool) []string {
	switch {
	case t == nil:
		return []string{where + ": missing"}
	case t.Type != slack.PlainTextType && t.Type != slack.MarkdownType:
		return []string{fmt.Sprintf("%s: text type %q", where, t.Type)}
	case plainOnly && t.Type != slack.PlainTextType:
		return []string{where + ": must be plain_text"}
	case strings.TrimSpace(t.Text) == "":
		return []string{where + ": empty text"}
	}
	return checkLen(where, t.Text, max)
}

func checkLen(where, s string, max int) []string {
	if n := utf8.RuneCountInString(s); n > max {
		return []string{fmt.Sprintf("%s: %d characters, over %d", where, n, max)}
	}
	return nil
}
