from django.db.models import Count
from django.shortcuts import render

from licensing.constants import ReformMode
from licensing.models import Item


def home(request):
    counts = dict(Item.objects.values_list("reform_mode").annotate(n=Count("seq_no", distinct=True)))
    modes = [{"value": m.value, "label": m.label, "count": counts.get(m.value, 0)} for m in ReformMode]
    return render(request, "portal/home.html", {
        "modes": modes, "seq_count": Item.objects.values("seq_no").distinct().count(),
    })
