package render

import (
	"fmt"
	"strings"

	"github.com/golive/golive/internal/templates"
	"github.com/slack-go/slack"
)

// templateBlocks caps the template list so that it stays under 50 blocks.
const templateBlocks = 45

// Templates lists the built-in checklists `new` can start from, each with
// the command that starts it.
func Templates(list []templates.Template) Message {
	blocks := []slack.Block{header("Built-in checklists")}
	names := make([]string, 0, len(list))
	for i, t := range list {
		if i == templateBlocks {
			blocks = append(blocks, contextBlock(fmt.Sprintf("… and %d more.", len(list)-templateBlocks)))
			break
		}
		names = append(names, t.Name)
		name := Escape(brief(t.Name, 60))
		text := "*" + name + "*"
		if t.Name == templates.Default {
			text += " (the default)"
		}
		if d := oneLine(t.Description); d != "" {
			text += "\n" + Escape(clip(d, 1500))
		}
		text += "\nStart a launch from it: `new \"Checkout v2\" 2026-12-01 template " + name + "`"
		blocks = append(blocks, section(text))
	}
	if len(list) == 0 {
		blocks = append(blocks, section("_No built-in checklists._ Paste your own with `import`."))
	} else {
		blocks = append(blocks, contextBlock("Or paste your own Markdown checklist with `import`."))
	}
	return Message{
		Text:   clip(Escape("Built-in checklists: "+strings.Join(names, ", ")), maxMessageText),
		Blocks: blocks,
	}
}
