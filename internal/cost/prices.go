package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Money is an amount in millionths of a US dollar: hourly list prices have three decimals ($0.013),
// and integer sums stay exact where float sums would drift.
type Money int64

// Dollars converts a price as written in prices.json.
func Dollars(d float64) Money { return Money(math.Round(d * 1e6)) }

// String rounds to the cent: $12.34.
func (m Money) String() string {
	cents := (m + 5_000) / 10_000
	return fmt.Sprintf("$%d.%02d", cents/100, cents%100)
}

// UnmarshalJSON reads a price in dollars.
func (m *Money) UnmarshalJSON(b []byte) error {
	var d float64
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*m = Dollars(d)
	return nil
}

// Prices is the price table: list prices per region, and where they come from.
type Prices struct {
	AsOf    string                  `json:"asOf"`
	Note    string                  `json:"note"`
	Sources []string                `json:"sources"`
	Regions map[string]RegionPrices `json:"regions"`
}

// RegionPrices are one region's list prices of the resources with a fixed monthly price.
type RegionPrices struct {
	InterfaceEndpointAZHour        Money `json:"interfaceEndpointAzHour"`
	KMSKeyMonth                    Money `json:"kmsKeyMonth"`
	StandardAlarmMetricMonth       Money `json:"standardAlarmMetricMonth"`
	HighResolutionAlarmMetricMonth Money `json:"highResolutionAlarmMetricMonth"`
	CustomMetricMonth              Money `json:"customMetricMonth"`
}

//go:embed prices.json
var pricesJSON []byte

// DefaultPrices returns the table in prices.json.
func DefaultPrices() (Prices, error) { return parsePrices(pricesJSON) }

// parsePrices rejects a region with a missing price: it would read as zero and make a resource free.
func parsePrices(data []byte) (Prices, error) {
	var p Prices
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Prices{}, fmt.Errorf("cost: prices.json: %w", err)
	}
	if p.AsOf == "" || len(p.Sources) == 0 {
		return Prices{}, fmt.Errorf("cost: prices.json: asOf and sources are required")
	}
	for _, name := range slices.Sorted(maps.Keys(p.Regions)) {
		r := p.Regions[name]
		if r.InterfaceEndpointAZHour <= 0 || r.KMSKeyMonth <= 0 || r.StandardAlarmMetricMonth <= 0 ||
			r.HighResolutionAlarmMetricMonth <= 0 || r.CustomMetricMonth <= 0 {
			return Prices{}, fmt.Errorf("cost: prices.json: region %s lacks a price: each region needs all five", name)
		}
	}
	return p, nil
}

func (p Prices) region(name string) (RegionPrices, error) {
	r, ok := p.Regions[name]
	if !ok {
		return RegionPrices{}, fmt.Errorf("cost: no prices for region %q: the table has %s; add the region to internal/cost/prices.json with its list prices from %s",
			name, strings.Join(slices.Sorted(maps.Keys(p.Regions)), ", "), strings.Join(p.Sources, ", "))
	}
	return r, nil
}
