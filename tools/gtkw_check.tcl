# GTKWave Tcl script of `make waves-check` (tools/waves.py check): run as
#   xvfb-run -a gtkwave -S tools/gtkw_check.tcl DUMP LAYOUT.gtkw
# after GTKWave loaded the dump and the layout, write to $GTKW_CHECK_OUT one
# line "S <full name>" per displayed signal, one line "T <flags> <label>"
# per visible trace (labels are short names; flag 0x2000 = translate filter
# on) and one line "F <full name>" per facility of the dump (the names
# GTKWave matches a layout's signals against), one line "M <letter> <time>"
# per named marker A..Z (-1: unset), one line "W <start> <end> <zoom>" for
# the window it opened on, and, for each full name in $GTKW_EVENTS (when
# set), "C <name> <time> <value> ..." with every change of that signal; then
# quit.
set out [open $::env(GTKW_CHECK_OUT) w]
foreach sig [gtkwave::getDisplayedSignals] {
  puts $out "S $sig"
}
set n [gtkwave::getVisibleNumTraces]
for {set i 0} {$i < $n} {incr i} {
  puts $out "T [gtkwave::getTraceFlagsFromIndex $i] [gtkwave::getTraceNameFromIndex $i]"
}
set n [gtkwave::getNumFacs]
for {set i 0} {$i < $n} {incr i} {
  puts $out "F [gtkwave::getFacName $i]"
}
foreach m {A B C D E F G H I J K L M N O P Q R S T U V W X Y Z} {
  set t [gtkwave::getNamedMarker $m]
  puts $out "M $m [expr {$t eq "" ? -1 : $t}]"
}
puts $out "W [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime] [gtkwave::getZoomFactor]"
if {[info exists ::env(GTKW_EVENTS)]} {
  foreach sig $::env(GTKW_EVENTS) {
    puts $out "C $sig [gtkwave::signalChangeList $sig]"
  }
}
close $out
gtkwave::/File/Quit
