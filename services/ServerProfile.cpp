#include "services/ServerProfile.h"
