#pragma once
// Ventricular function from a segmentation: volumes by summation of discs (area x spacing of the
// slice positions along the normal, not Slice Thickness), ED = largest LV volume, ES = smallest,
// LV mass = myocardial volume at ED x 1.05 g/ml; indexed to BSA (Mosteller) when height and
// weight are known.
#include <string>
#include <utility>
#include <vector>

#include "cardiac/cine_stack.h"
#include "cardiac/regional_function.h"
#include "cardiac/segmenter.h"

namespace atrium::cardiac {

struct FunctionResults {
  int edPhase = 0, esPhase = 0;  // 0-based
  double lvEdv = 0, lvEsv = 0, lvSv = 0, lvEf = 0, lvMassG = 0;
  double rvEdv = 0, rvEsv = 0, rvSv = 0, rvEf = 0;
  double bsaM2 = 0;  // 0 when height or weight is missing
  // Heart rate from Nominal Interval, else from the trigger times (n phases span one R-R interval);
  // LV cardiac output = LV SV x heart rate, and its index by BSA. 0 when unknown.
  double heartRateBpm = 0, lvCardiacOutputLMin = 0, lvCardiacIndexLMinM2 = 0;
  double sliceSpacingMm = 0;
  std::vector<double> lvVolumeMl, rvVolumeMl, myoVolumeMl, timesMs;  // per phase
  int slicesWithLv = 0;
  // Results no heart produces, or few do (an ejection fraction outside 5..85 %, a ventricle not
  // found, LV and RV stroke volumes more than 30 % apart): said in the outputs so that a reader
  // reviews the contours before using the numbers.
  std::vector<std::string> warnings;
  // AHA segments' wall thickness at ED and ES (computeFunction fills it; empty with a note when the
  // segments cannot be placed).
  RegionalFunction regional;
};

// Per phase, the volumes (ml) of the LV blood pool, the LV myocardium and the RV blood pool over the
// slices (each slice's pixel area x the median spacing of the slices), and how many slices hold an LV
// pool in some phase.
struct PhaseVolumes {
  double sliceSpacingMm = 0;
  std::vector<double> lvMl, myoMl, rvMl;
  int slicesWithLv = 0;
};
PhaseVolumes phaseVolumes(const CineStack& stack, const Segmentation& seg);
// End-diastole and end-systole: the phases of the largest and the smallest LV volume (none empty).
std::pair<int, int> endPhases(const std::vector<double>& lvVolumeMl);

// edPhase/esPhase (0-based): the phases a reader chose; -1: the largest and the smallest LV volume.
// Throws CardiacError when a chosen phase is not one of the stack's.
FunctionResults computeFunction(const CineStack& stack, const Segmentation& seg, int edPhase = -1, int esPhase = -1);

// Beats per minute from the R-R interval (Nominal Interval, ms) or, when that is 0, from the phases'
// trigger times; 0 when neither gives a rate between 20 and 250.
double heartRate(double nominalIntervalMs, const std::vector<double>& timesMs);

// Throws CardiacError unless r has one value per phase of the stack and ED/ES among them (what
// the SR and PDF writers index by).
void checkFunctionResults(const CineStack& stack, const FunctionResults& r);

}  // namespace atrium::cardiac
