package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/craft-cra/craft/internal/store"
)

// The dashboard's trend chart is server-rendered SVG, as the HTML report's
// charts are: the template draws rectangles and a polyline from numbers
// computed here, so there is no script and html/template escapes every
// attribute. A day without a snapshot (the server was down) is a gap.

// Geometry of the trend chart, in SVG user units.
const (
	chartWidth  = 720
	chartHeight = 220
	chartLeft   = 48 // room for the y-axis labels
	chartTop    = 10
	chartBottom = 30 // room for the date labels
	chartPlot   = chartHeight - chartTop - chartBottom
)

// trendChart is what the template draws.
type trendChart struct {
	Width, Height int
	// Bars are the days with a snapshot, each a stack of severity segments.
	Bars []trendBar
	// KEVPoints is the polyline of KEV-listed findings, "x,y x,y".
	KEVPoints string
	// Ticks are the y-axis gridlines with their values.
	Ticks []trendTick
	// FromLabel and ToLabel are the first and last day shown.
	FromLabel, ToLabel  string
	LabelY              int
	PlotLeft, PlotRight int
	// Days counts the days with a snapshot; Latest is the last of them.
	Days   int
	Latest store.SnapshotDay
	Label  string
}

type trendBar struct {
	X, Width int
	Title    string
	Segments []trendSegment
}

type trendSegment struct {
	Y, Height int
	Class     string
}

type trendTick struct {
	Y     int
	Value int64
}

// newTrendChart lays out days (oldest first) over the days from..to.
func newTrendChart(days []store.SnapshotDay, from, to time.Time) trendChart {
	c := trendChart{Width: chartWidth, Height: chartHeight, FromLabel: from.Format("2 Jan 2006"),
		ToLabel: to.Format("2 Jan 2006"), LabelY: chartHeight - 8, PlotLeft: chartLeft, PlotRight: chartWidth - 4,
		Days: len(days)}
	span := int(to.Sub(from).Hours()/24) + 1
	if span < 1 {
		span = 1
	}
	var peak int64
	for _, d := range days {
		peak = max(peak, d.Total(), d.KEV)
	}
	scale := niceCeiling(peak)
	for i := int64(0); i <= 4; i++ {
		v := scale * i / 4
		c.Ticks = append(c.Ticks, trendTick{Y: chartTop + chartPlot - int(v*chartPlot/scale), Value: v})
	}
	step := float64(c.PlotRight-chartLeft) / float64(span)
	barW := max(int(step*0.8), 1)
	var kev []string
	for _, d := range days {
		day, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			continue
		}
		i := int(day.Sub(from).Hours() / 24)
		if i < 0 || i >= span {
			continue
		}
		x := chartLeft + int(float64(i)*step)
		b := trendBar{X: x, Width: barW, Title: fmt.Sprintf("%s: %d open (%d critical, %d high, %d medium, %d low, %d other), %d KEV-listed",
			d.Day, d.Total(), d.Critical, d.High, d.Medium, d.Low, d.Other, d.KEV)}
		base := chartTop + chartPlot
		for _, seg := range []struct {
			n     int64
			class string
		}{{d.Critical, "sev-critical"}, {d.High, "sev-high"}, {d.Medium, "sev-medium"}, {d.Low, "sev-low"}, {d.Other, "sev-other"}} {
			if seg.n == 0 {
				continue
			}
			h := max(int(seg.n*chartPlot/scale), 1)
			base -= h
			b.Segments = append(b.Segments, trendSegment{Y: base, Height: h, Class: seg.class})
		}
		c.Bars = append(c.Bars, b)
		kev = append(kev, fmt.Sprintf("%d,%d", x+barW/2, chartTop+chartPlot-int(d.KEV*chartPlot/scale)))
	}
	c.KEVPoints = strings.Join(kev, " ")
	if len(days) > 0 {
		c.Latest = days[len(days)-1]
	}
	c.Label = fmt.Sprintf("Open findings per day from %s to %s, by severity, with KEV-listed findings as a line", c.FromLabel, c.ToLabel)
	return c
}

// niceCeiling is the smallest of 4, 8, 20, 40, 80, 200, … (four gridlines
// with round values) at or above n.
func niceCeiling(n int64) int64 {
	for scale := int64(1); ; scale *= 10 {
		for _, m := range []int64{4, 8, 20} {
			if n <= m*scale {
				return m * scale
			}
		}
	}
}
