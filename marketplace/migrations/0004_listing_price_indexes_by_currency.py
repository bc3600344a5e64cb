# Price orderings never mix currencies: the price indexes lead with the currency (after the filter).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0003_more_currencies"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_open_price",
        ),
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_open_category",
        ),
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_open_country",
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["currency", "price_per_tonne", "id"],
                name="listing_open_currency_price",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["category", "currency", "price_per_tonne", "id"],
                name="listing_open_category_price",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["country", "currency", "price_per_tonne", "id"],
                name="listing_open_country_price",
            ),
        ),
    ]
