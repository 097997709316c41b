"""Routes of the funds API under /api/v1/ (see api.py)."""

from rest_framework.routers import SimpleRouter

from .api import BudgetViewSet, ExpenseViewSet, GrantViewSet, PaymentViewSet

router = SimpleRouter(trailing_slash=True)
router.register("budgets", BudgetViewSet, basename="budget")
router.register("grants", GrantViewSet, basename="grant")
router.register("payments", PaymentViewSet, basename="payment")
router.register("expenses", ExpenseViewSet, basename="expense")
urlpatterns = router.urls
