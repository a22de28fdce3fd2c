// Package cases holds the rules of vulnerability cases that need no
// storage: the states a case goes through and which changes are allowed,
// the Article 14 reporting clocks of the Cyber Resilience Act (deadlines
// and reminder thresholds as functions over times), CVSS scoring of a
// case's vectors, and the report drafts for ENISA's single reporting
// platform (Art. 16), rendered as JSON and Markdown.
//
// Everything here is pure: no I/O, no clock (callers pass "now"), no
// global state. The server stores cases and calls these functions.
//
// # Counting periods
//
// Regulation (EEC, Euratom) No 1182/71 is the EU rule for periods, dates
// and time limits. craft never shows a deadline later than that rule gives:
//
//   - Hours (24 h, 72 h) are absolute durations from the moment of
//     awareness: A + 24 h. A daylight-saving change does not move them.
//     (1182/71 Art. 3(1) would start counting at the next full hour, a
//     little later; craft keeps to the earlier, safer moment.)
//   - Days (the 14 days of the vulnerability final report) are calendar
//     days in the manufacturer's time zone: the same wall-clock time 14
//     days later. 1182/71 Art. 3(1) and 3(2)(b) end such a period at the
//     end of the 14th day; the same wall-clock time is earlier on that day,
//     so it is safe, and across a DST change it stays on that day (14×24 h
//     could cross into the 15th day after a spring-forward).
//   - A month (the incident final report) ends on the same day number of
//     the next month at the same wall-clock time; when that month has no
//     such day (31 January → February) it ends on that month's last day
//     (1182/71 Art. 3(2)(c)), never in the month after as time.AddDate
//     would have it.
package cases
