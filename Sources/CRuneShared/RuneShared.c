// The host's build of the Runtime/ files the boards compile (see RuneShared.h).
#include "RuneShared.h"
#include "cortex-m/json.c"
#include "cortex-m/random.c"

_Static_assert(RUNE_SHARED_JSON_NUMBER_MAX == RUNE_JSON_NUMBER_MAX, "RuneShared.h and json.h disagree");
