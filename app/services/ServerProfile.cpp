#include "app/services/ServerProfile.h"
