"""Meals (餐饮安全, 营养配餐): each care day's menu per term — meals and snacks, their dishes
with ingredients and allergens —, the food sample kept of each dish (留样), and the class's
food suppliers with their food-business licences."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class Allergen(models.TextChoices):
    """The 14 major allergens (EU Regulation 1169/2011 Annex II; GB 7718-2025 lists the same
    families). Defined once: dishes name them, the allergy warning matches on them."""

    GLUTEN = "gluten", _("Cereals containing gluten")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    PEANUTS = "peanuts", _("Peanuts")
    SOY = "soy", _("Soybeans")
    MILK = "milk", _("Milk")
    TREE_NUTS = "tree_nuts", _("Tree nuts")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame")
    SULPHITES = "sulphites", _("Sulphites")
    LUPIN = "lupin", _("Lupin")
    MOLLUSCS = "molluscs", _("Molluscs")


# The words in a guardian's free-text allergies (HealthNote.allergies) that name each
# allergen, in Chinese and English, lower case. The warning matches on these explicitly:
# the health note stays the guardian's own words (no new field, no migration in enrolment).
ALLERGEN_KEYWORDS: dict[str, tuple[str, ...]] = {
    Allergen.GLUTEN: ("麸质", "小麦", "面粉", "大麦", "黑麦", "燕麦", "gluten", "wheat"),
    Allergen.CRUSTACEANS: ("甲壳", "虾", "蟹", "crustacean", "shrimp", "prawn", "crab"),
    Allergen.EGGS: ("鸡蛋", "蛋", "egg"),
    Allergen.FISH: ("鱼", "fish"),
    Allergen.PEANUTS: ("花生", "peanut"),
    Allergen.SOY: ("大豆", "黄豆", "豆制品", "豆腐", "豆浆", "soy"),
    Allergen.MILK: ("牛奶", "奶", "乳", "milk", "dairy", "lactose"),
    Allergen.TREE_NUTS: ("坚果", "核桃", "杏仁", "腰果", "榛子", "开心果", "tree nut", "walnut",
                         "almond", "cashew", "hazelnut", "pistachio"),
    Allergen.CELERY: ("芹菜", "celery"),
    Allergen.MUSTARD: ("芥末", "芥菜籽", "mustard"),
    Allergen.SESAME: ("芝麻", "sesame"),
    Allergen.SULPHITES: ("亚硫酸", "二氧化硫", "sulphite", "sulfite"),
    Allergen.LUPIN: ("羽扇豆", "lupin", "lupine"),
    Allergen.MOLLUSCS: ("软体", "贝", "鱿鱼", "章鱼", "蛤", "牡蛎", "mollusc", "squid",
                        "octopus", "clam", "oyster", "mussel"),
}  # fmt: skip


def allergens_named(text: str) -> set[str]:
    """The allergens a free-text allergy note names (by `ALLERGEN_KEYWORDS`)."""
    text = (text or "").lower()
    if not text.strip():
        return set()
    return {code for code, words in ALLERGEN_KEYWORDS.items() if any(w in text for w in words)}


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    MORNING_SNACK = "morning_snack", _("Morning snack")
    LUNCH = "lunch", _("Lunch")
    AFTERNOON_SNACK = "afternoon_snack", _("Afternoon snack")
    DINNER = "dinner", _("Dinner")


MEAL_ORDER = {kind: i for i, kind in enumerate(MealKind.values)}
# 留样: at least 125 g of each dish, kept at least 48 hours, refrigerated at 0–8 °C.
SAMPLE_MIN_GRAMS = 125
SAMPLE_MIN_HOURS = 48
SAMPLE_MIN_CELSIUS = 0
SAMPLE_MAX_CELSIUS = 8


class Meal(AuditedModel, TimeStampedModel):
    """One meal or snack of a care day of a term; the term's groups all eat it."""

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="meals"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("meal"), max_length=20, choices=MealKind.choices)

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        ordering = ["date", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "date", "kind"], name="one_meal_per_kind_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} · {self.get_kind_display()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()


class Supplier(AuditedModel, TimeStampedModel):
    """A food supplier of a class, with its food-business licence (食品经营许可证)."""

    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="food_suppliers",
    )
    name = models.CharField(_("supplier"), max_length=120)
    licence_number = models.CharField(_("food-business licence number"), max_length=60)
    licence_expires = models.DateField(_("licence valid until"))
    licence_document = models.FileField(
        _("licence document"), upload_to="suppliers/%Y/%m/", blank=True
    )

    class Meta:
        verbose_name = _("food supplier")
        verbose_name_plural = _("food suppliers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()

    def expired_on(self, day: datetime.date) -> bool:
        return self.licence_expires < day


class Dish(AuditedModel, TimeStampedModel):
    meal = models.ForeignKey(
        Meal, verbose_name=_("meal"), on_delete=models.CASCADE, related_name="dishes"
    )
    name = models.CharField(_("dish"), max_length=80)
    ingredients = models.CharField(_("ingredients"), max_length=300, blank=True)
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dishes",
    )

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.meal.audit_org_path()

    def allergen_labels(self) -> list[str]:
        return [str(Allergen(code).label) for code in self.allergens if code in Allergen.values]


class FoodSample(AuditedModel, TimeStampedModel):
    """The sample kept of one dish (留样): weight, fridge temperature, who kept and discarded it."""

    dish = models.OneToOneField(
        Dish, verbose_name=_("dish"), on_delete=models.CASCADE, related_name="sample"
    )
    grams = models.PositiveIntegerField(_("weight (g)"))
    temperature = models.DecimalField(_("fridge temperature (°C)"), max_digits=4, decimal_places=1)
    kept_at = models.DateTimeField(_("kept at"))
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discarded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("food sample")
        verbose_name_plural = _("food samples")
        ordering = ["-kept_at", "-pk"]

    def __str__(self) -> str:
        return gettext("%(dish)s · %(grams)s g") % {"dish": self.dish, "grams": self.grams}

    def audit_org_path(self) -> str:
        return self.dish.audit_org_path()

    @property
    def discarded_early(self) -> bool:
        """Discarded before the 48 hours were up (exactly 48 hours is in time)."""
        if self.discarded_at is None:
            return False
        return self.discarded_at - self.kept_at < datetime.timedelta(hours=SAMPLE_MIN_HOURS)
