package cost

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Stack is one synthesized stack to estimate.
type Stack struct {
	Name     string
	Template []byte
	Region   string
}

// MarkdownTable estimates each stack and renders one row per stack, in the order given:
//
//	| stack | interface endpoints × zones | endpoints | keys | alarms and metrics | total |
//
// Amounts are rounded to the cent.
func MarkdownTable(stacks []Stack, prices Prices) (string, error) {
	var s strings.Builder
	s.WriteString("| stack | interface endpoints × zones | endpoints | keys | alarms and metrics | total |\n")
	s.WriteString("|---|---|---:|---:|---:|---:|\n")
	for _, st := range stacks {
		b, err := Estimate(st.Template, st.Region, prices)
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.Name, err)
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %s | %s |\n", st.Name, endpointZones(b),
			b.Subtotal(Endpoints), b.Subtotal(Keys), b.Subtotal(Monitoring), b.Total)
	}
	return s.String(), nil
}

// endpointZones counts the interface endpoints by their number of zones, most zones first: "6 × 1",
// or "5 × 2 + 1 × 1" when some endpoints span fewer zones than others. Lines are per service, so two
// endpoints of one service would count as one over their summed zones; a stack has one per service.
func endpointZones(b Breakdown) string {
	endpoints := map[int]int{} // zones → endpoints
	for _, l := range b.Lines {
		if l.Category == Endpoints {
			endpoints[l.Quantity]++
		}
	}
	if len(endpoints) == 0 {
		return "none"
	}
	var parts []string
	for _, zones := range slices.SortedFunc(maps.Keys(endpoints), func(x, y int) int { return cmp.Compare(y, x) }) {
		parts = append(parts, fmt.Sprintf("%d × %d", endpoints[zones], zones))
	}
	return strings.Join(parts, " + ")
}
