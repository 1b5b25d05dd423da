# The routing roster follows every flush that changes an expert's routing inputs.
from gigcx.experts import roster as roster
