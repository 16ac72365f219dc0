#include "cmhd_shim.h"
